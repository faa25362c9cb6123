# docs/tutorial/receive_logs.py: python3 receive_logs.py  (every record, like the tutorial's fanout subscriber)
import json, os
import pika

prefix = os.environ.get('AMQP_PREFIX', 'logyard')
connection = pika.BlockingConnection(pika.URLParameters(os.environ.get('AMQP_URL', 'amqp://guest:guest@localhost:5672')))
channel = connection.channel()
# As in the tutorial; Logyard's exchanges are durable, and RabbitMQ refuses a redeclaration that differs.
channel.exchange_declare(exchange=f'{prefix}.all', exchange_type='fanout', durable=True)

queue = channel.queue_declare(queue='', exclusive=True).method.queue
channel.queue_bind(exchange=f'{prefix}.all', queue=queue)
print(' [*] Waiting for logs. To exit press CTRL+C')

def callback(ch, method, properties, body):
    for record in json.loads(body):
        print(f" [x] {method.routing_key}: {record['message']}")

channel.basic_consume(queue=queue, on_message_callback=callback, auto_ack=True)
channel.start_consuming()
