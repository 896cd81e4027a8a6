package kg.bakaimarket.tap;

import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.avro.Conversions;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads product events with Kafka's Java client and Apicurio's Avro deserializer, as a data team's
 * JVM job would. Usage: DecodeProductEvents BROKERS REGISTRY_V3_URL TOPIC GROUP COUNT; prints one
 * tab-separated line per record: key, event_id, event_type, title, price.
 */
public final class DecodeProductEvents {
  public static void main(String[] args) {
    String brokers = args[0], registryUrl = args[1], topic = args[2], group = args[3];
    int count = Integer.parseInt(args[4]);

    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    // The key is plain UTF-8 text, not Avro.
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, AvroKafkaDeserializer.class.getName());
    // Apicurio's own API (…/apis/registry/v3), not the Confluent-compatible one.
    props.put("apicurio.registry.url", registryUrl);

    int seen = 0;
    try (KafkaConsumer<String, GenericRecord> consumer = new KafkaConsumer<>(props)) {
      consumer.subscribe(List.of(topic));
      long deadline = System.currentTimeMillis() + 60_000;
      while (seen < count && System.currentTimeMillis() < deadline) {
        for (ConsumerRecord<String, GenericRecord> record : consumer.poll(Duration.ofSeconds(1))) {
          GenericRecord event = record.value();
          GenericRecord data = (GenericRecord) event.get("data");
          // Strings arrive as Avro Utf8: toString() gives the text.
          System.out.println(String.join("\t",
              record.key(),
              event.get("event_id").toString(),
              event.get("event_type").toString(),
              String.valueOf(data.get("title")),
              priceOf(data)));
          seen++;
        }
      }
      consumer.commitSync();
    }
    if (seen < count) {
      System.err.println("timed out after " + seen + " of " + count + " records");
      System.exit(1);
    }
  }

  /** price is decimal(22,4) over bytes: without a registered conversion it arrives as raw bytes. */
  private static String priceOf(GenericRecord data) {
    Object raw = data.get("price");
    if (raw == null) return "null";
    Schema priceSchema = data.getSchema().getField("price").schema().getTypes().get(1);
    BigDecimal price = new Conversions.DecimalConversion()
        .fromBytes((ByteBuffer) raw, priceSchema, LogicalTypes.fromSchema(priceSchema));
    return price.toPlainString();
  }
}
