# docs/tutorial/rpc_client.py: python3 rpc_client.py service=checkout minSeverity=warn limit=10
import json, os, sys, uuid
import pika

prefix = os.environ.get('AMQP_PREFIX', 'logyard')
connection = pika.BlockingConnection(pika.URLParameters(os.environ.get('AMQP_URL', 'amqp://guest:guest@localhost:5672')))
channel = connection.channel()

answers = {}
channel.basic_consume('amq.rabbitmq.reply-to', auto_ack=True,  # direct reply-to; a queue of your own works too
                      on_message_callback=lambda ch, m, props, body: answers.update({props.correlation_id: json.loads(body)}))
query = dict(pair.split('=', 1) for pair in sys.argv[1:])  # the parameters of GET /api/logs
cid = str(uuid.uuid4())
channel.basic_publish('', f'{prefix}.rpc', json.dumps(query),
                      pika.BasicProperties(reply_to='amq.rabbitmq.reply-to', correlation_id=cid))
while cid not in answers:
    connection.process_data_events(time_limit=1)
print(json.dumps(answers[cid]))  # exactly what GET /api/logs answers for the same parameters
connection.close()
