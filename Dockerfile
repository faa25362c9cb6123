# syntax=docker/dockerfile:1
# Logyard: one image, every role; the role is chosen by --target (collector, router, archiver, all).

# Build: compile with the dev dependencies, then keep only the production ones.
FROM node:20-alpine AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY bin bin
COPY apps apps
COPY libs libs
COPY bench bench
RUN npm run build && npm prune --omit=dev && rm -rf dist/bench

# Run: the compiled service and its production dependencies, as the image's unprivileged `node` user.
FROM node:20-alpine
ENV NODE_ENV=production PORT=3000
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
COPY --from=build /app/bin bin
USER node
EXPOSE 3000 5514 5514/udp
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s \
  CMD node -e "fetch('http://127.0.0.1:'+process.env.PORT+'/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# The V8 flags of libs/config/src/node-flags.ts (SERVICE_NODE_FLAGS): `npm start` passes the same.
# node itself is PID 1, so `docker stop`'s SIGTERM reaches Logyard, which drains before it exits.
ENTRYPOINT ["node", "--max-semi-space-size=64", "dist/apps/logyard/src/main.js"]
CMD ["--target", "all"]
