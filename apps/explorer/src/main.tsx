import 'uplot/dist/uPlot.min.css';
import './style.css';
import { render } from 'preact';
import { parseSessionMeta, SESSION_META_NAME } from '../../../libs/contracts/src/explorer-page';
import { App } from './app';

const meta = document.querySelector<HTMLMetaElement>(`meta[name="${SESSION_META_NAME}"]`);
render(<App session={parseSessionMeta(meta?.content)} />, document.getElementById('app') as HTMLElement);
