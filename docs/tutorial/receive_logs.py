# docs/tutorial/receive_logs.py: python3 receive_logs.py  (every record, like the tutorial's fanout subscriber)
import os
import pika
from subscriber import print_records

prefix = os.environ.get('AMQP_PREFIX', 'logyard')
connection = pika.BlockingConnection(pika.URLParameters(os.environ.get('AMQP_URL', 'amqp://guest:guest@localhost:5672')))
channel = connection.channel()
# As in the tutorial; Logyard's exchanges are durable, and RabbitMQ refuses a redeclaration that differs.
channel.exchange_declare(exchange=f'{prefix}.all', exchange_type='fanout', durable=True)

queue = channel.queue_declare(queue='', exclusive=True).method.queue
channel.queue_bind(exchange=f'{prefix}.all', queue=queue)
print_records(channel, queue)
