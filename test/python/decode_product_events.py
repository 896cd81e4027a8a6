"""Reads product events with Confluent's own Python client and Avro deserializer.

Shares no code with the pipeline: it proves that what the ingress writes is standard Confluent
wire format that any data team's client can read through the registry.
Usage: decode_product_events.py BROKERS REGISTRY_URL TOPIC COUNT  -> one JSON object per line.
"""
import json
import sys

from confluent_kafka import Consumer
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer
from confluent_kafka.serialization import MessageField, SerializationContext

brokers, registry_url, topic, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
deserialize = AvroDeserializer(SchemaRegistryClient({"url": registry_url}))
consumer = Consumer(
    {"bootstrap.servers": brokers, "group.id": f"independent-decoder-{topic}", "auto.offset.reset": "earliest"}
)
consumer.subscribe([topic])
seen = 0
try:
    while seen < count:
        message = consumer.poll(30)
        if message is None:
            sys.exit(f"timed out after {seen} of {count} records")
        if message.error():
            continue
        value = deserialize(message.value(), SerializationContext(topic, MessageField.VALUE))
        value["raw_body"] = value["raw_body"].decode("utf-8")
        print(json.dumps({"key": message.key().decode("utf-8"), "value": value}, ensure_ascii=False, default=str))
        seen += 1
finally:
    consumer.close()
