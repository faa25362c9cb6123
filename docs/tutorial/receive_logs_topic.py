# docs/tutorial/receive_logs_topic.py: python3 receive_logs_topic.py '*.error' 'checkout.*'
import os, sys
import pika
from subscriber import print_records

prefix = os.environ.get('AMQP_PREFIX', 'logyard')
connection = pika.BlockingConnection(pika.URLParameters(os.environ.get('AMQP_URL', 'amqp://guest:guest@localhost:5672')))
channel = connection.channel()
# As in the tutorial; Logyard's exchanges are durable, and RabbitMQ refuses a redeclaration that differs.
channel.exchange_declare(exchange=f'{prefix}.logs', exchange_type='topic', durable=True)

queue = channel.queue_declare(queue='', exclusive=True).method.queue
for binding_key in sys.argv[1:] or ['#']:
    channel.queue_bind(exchange=f'{prefix}.logs', queue=queue, routing_key=binding_key)
print_records(channel, queue)
