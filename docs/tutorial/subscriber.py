# docs/tutorial/subscriber.py: what the four subscribers share (each imports it from beside itself)
import json

def print_records(channel, queue):
    """Prints the routing key and message of every record that arrives on `queue`, until CTRL+C."""
    def callback(ch, method, properties, body):
        for record in json.loads(body):  # one message is a batch: a JSON array of records
            print(f" [x] {method.routing_key}: {record['message']}")

    print(' [*] Waiting for logs. To exit press CTRL+C')
    channel.basic_consume(queue=queue, on_message_callback=callback, auto_ack=True)
    channel.start_consuming()
