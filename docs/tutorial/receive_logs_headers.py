# docs/tutorial/receive_logs_headers.py: python3 receive_logs_headers.py any host=web-1_prod severity=fatal
import os, sys
import pika
from subscriber import print_records

prefix = os.environ.get('AMQP_PREFIX', 'logyard')
connection = pika.BlockingConnection(pika.URLParameters(os.environ.get('AMQP_URL', 'amqp://guest:guest@localhost:5672')))
channel = connection.channel()
# As in the tutorial; Logyard's exchanges are durable, and RabbitMQ refuses a redeclaration that differs.
channel.exchange_declare(exchange=f'{prefix}.headers', exchange_type='headers', durable=True)

# x-match all: every header given must match; any: one is enough. Values are routing tokens, like the key's words.
arguments = {'x-match': sys.argv[1] if len(sys.argv) > 1 else 'all'}
arguments.update(pair.split('=', 1) for pair in sys.argv[2:])  # host=…, service=…, severity=…
queue = channel.queue_declare(queue='', exclusive=True).method.queue
channel.queue_bind(exchange=f'{prefix}.headers', queue=queue, routing_key='', arguments=arguments)
print_records(channel, queue)
