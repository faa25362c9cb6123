# docs/tutorial/emit_log.py: python3 emit_log.py error.apache "Run. Run. Or it will explode."
import os, sys
import pika

prefix = os.environ.get('AMQP_PREFIX', 'logyard')
connection = pika.BlockingConnection(pika.URLParameters(os.environ.get('AMQP_URL', 'amqp://guest:guest@localhost:5672')))
channel = connection.channel()
# As in the tutorial; Logyard's exchanges are durable, and RabbitMQ refuses a redeclaration that differs.
channel.exchange_declare(exchange=f'{prefix}.ingest', exchange_type='topic', durable=True)
channel.confirm_delivery()  # basic_publish now returns once the broker has the message

routing_key = sys.argv[1] if len(sys.argv) > 1 else 'anonymous.info'  # error, test.info, web-1.checkout.error
message = ' '.join(sys.argv[2:]) or 'Hello World!'
channel.basic_publish(exchange=f'{prefix}.ingest', routing_key=routing_key, body=message,
                      properties=pika.BasicProperties(delivery_mode=2))  # persistent
print(f" [x] Sent {routing_key}:{message}")
connection.close()
