# docs/tutorial/receive_logs_topic.py: python3 receive_logs_topic.py '*.error' 'checkout.*'
import json, os, sys
import pika

prefix = os.environ.get('AMQP_PREFIX', 'logyard')
connection = pika.BlockingConnection(pika.URLParameters(os.environ.get('AMQP_URL', 'amqp://guest:guest@localhost:5672')))
channel = connection.channel()
# As in the tutorial; Logyard's exchanges are durable, and RabbitMQ refuses a redeclaration that differs.
channel.exchange_declare(exchange=f'{prefix}.logs', exchange_type='topic', durable=True)

queue = channel.queue_declare(queue='', exclusive=True).method.queue
for binding_key in sys.argv[1:] or ['#']:
    channel.queue_bind(exchange=f'{prefix}.logs', queue=queue, routing_key=binding_key)
print(' [*] Waiting for logs. To exit press CTRL+C')

def callback(ch, method, properties, body):
    for record in json.loads(body):  # one message is a batch: a JSON array of records
        print(f" [x] {method.routing_key}: {record['message']}")

channel.basic_consume(queue=queue, on_message_callback=callback, auto_ack=True)
channel.start_consuming()
