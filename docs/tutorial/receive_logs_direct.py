# docs/tutorial/receive_logs_direct.py: python3 receive_logs_direct.py info error
import os, sys
import pika
from subscriber import print_records

prefix = os.environ.get('AMQP_PREFIX', 'logyard')
connection = pika.BlockingConnection(pika.URLParameters(os.environ.get('AMQP_URL', 'amqp://guest:guest@localhost:5672')))
channel = connection.channel()
# As in the tutorial; Logyard's exchanges are durable, and RabbitMQ refuses a redeclaration that differs.
channel.exchange_declare(exchange=f'{prefix}.severity', exchange_type='direct', durable=True)

severities = sys.argv[1:]
if not severities:
    sys.stderr.write(f"Usage: {sys.argv[0]} [trace] [debug] [info] [warn] [error] [fatal]\n")
    sys.exit(1)
queue = channel.queue_declare(queue='', exclusive=True).method.queue
for severity in severities:
    channel.queue_bind(exchange=f'{prefix}.severity', queue=queue, routing_key=severity)
print_records(channel, queue)
