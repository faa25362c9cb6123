# docs/tutorial/worker.py: python3 worker.py error-alerts '*.error'  (start several: they share the work)
import json, os, sys
import pika

prefix = os.environ.get('AMQP_PREFIX', 'logyard')
connection = pika.BlockingConnection(pika.URLParameters(os.environ.get('AMQP_URL', 'amqp://guest:guest@localhost:5672')))
channel = connection.channel()
# As in the tutorial; Logyard's exchanges are durable, and RabbitMQ refuses a redeclaration that differs.
channel.exchange_declare(exchange=f'{prefix}.logs', exchange_type='topic', durable=True)

queue = sys.argv[1]
channel.queue_declare(queue=queue, durable=True)  # outlives the workers: nothing is lost while none runs
for binding_key in sys.argv[2:] or ['#']:
    channel.queue_bind(exchange=f'{prefix}.logs', queue=queue, routing_key=binding_key)

def callback(ch, method, properties, body):
    for record in json.loads(body):
        print(f" [x] Received {method.routing_key}: {record['message']}")
    # ... the slow work goes here: page someone, open a ticket ...
    ch.basic_ack(delivery_tag=method.delivery_tag)  # only now may the broker forget the message

channel.basic_qos(prefetch_count=1)  # one message at a time: a busy worker is not handed more
channel.basic_consume(queue=queue, on_message_callback=callback)
print(' [*] Waiting for messages. To exit press CTRL+C')
channel.start_consuming()
