// Writes records the way Kafka's own Java client does (kafka-clients, its codecs, its record batches
// and transaction markers), so the tests see what real producers put on a topic, not what kafkajs
// writes. Compiled once by java-producer.ts (javac, into .cache/java-producer/) and run there with
// the broker's libs on the class path and a JSON spec on stdin (see JavaProducerSpec there);
// prints one result line and exits 0, or exits non-zero with the reason on stderr. Values to pad
// are padded here, so megabytes never cross the pipe.
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;

public class JavaProducer {
  static final String RESULT_PREFIX = "java-producer-result ";
  static final Set<String> PRODUCER_FIELDS =
      Set.of("compressionType", "compressionLevel", "batchSize", "lingerMs", "maxRequestSize", "bufferMemory", "transactionalId");

  public static void main(String[] args) throws Exception {
    ObjectMapper json = new ObjectMapper();
    JsonNode spec = json.readTree(System.in);
    String bootstrap = required(spec, "bootstrapServers").asText();
    String defaultTopic = required(spec, "topic").asText();

    List<KafkaProducer<byte[], byte[]>> producers = new ArrayList<>();
    List<Future<RecordMetadata>> pending = new ArrayList<>();
    long sent = 0;
    try {
      for (JsonNode producerSpec : required(spec, "producers")) {
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProperties(bootstrap, producerSpec));
        producers.add(producer);
        if (producerSpec.has("transactionalId")) producer.initTransactions();
      }
      for (JsonNode step : required(spec, "steps")) {
        KafkaProducer<byte[], byte[]> producer = producers.get(step.path("producer").asInt(0));
        String op = required(step, "op").asText();
        switch (op) {
          case "send" -> {
            for (JsonNode record : required(step, "records")) {
              Future<RecordMetadata> future = producer.send(toRecord(defaultTopic, record));
              // A send that failed at once (an unknown topic after max.block.ms) fails the run now.
              if (future.isDone()) future.get();
              pending.add(future);
              sent += 1;
            }
          }
          case "flush" -> {
            producer.flush();
            awaitAll(pending);
          }
          case "begin" -> producer.beginTransaction();
          case "commit" -> producer.commitTransaction();
          // abortTransaction drops batches not yet sent: flush first, so the aborted records are
          // written to the log (as a producer that fails mid-transaction leaves them) and the
          // consumer must filter them out.
          case "abort" -> {
            producer.flush();
            producer.abortTransaction();
          }
          default -> throw new IllegalArgumentException("unknown step op \"" + op + "\"");
        }
      }
      for (KafkaProducer<byte[], byte[]> producer : producers) producer.flush();
      awaitAll(pending);
    } finally {
      for (KafkaProducer<byte[], byte[]> producer : producers) producer.close();
    }

    ObjectNode result = json.createObjectNode();
    result.put("sent", sent);
    if (spec.path("reportLogBytes").asBoolean(false)) {
      result.set("logBytes", json.valueToTree(logBytes(bootstrap, defaultTopic)));
    }
    System.out.println(RESULT_PREFIX + json.writeValueAsString(result));
  }

  static JsonNode required(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) throw new IllegalArgumentException("spec lacks \"" + field + "\"");
    return value;
  }

  static Properties producerProperties(String bootstrap, JsonNode spec) {
    for (Iterator<String> names = spec.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!PRODUCER_FIELDS.contains(name)) throw new IllegalArgumentException("unknown producer field \"" + name + "\"");
    }
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 20_000);
    props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, spec.path("compressionType").asText("none"));
    if (spec.has("compressionLevel")) {
      // compression.gzip.level, compression.lz4.level or compression.zstd.level (KIP-390).
      String codec = spec.path("compressionType").asText("none");
      props.put("compression." + codec + ".level", spec.get("compressionLevel").asInt());
    }
    if (spec.has("batchSize")) props.put(ProducerConfig.BATCH_SIZE_CONFIG, spec.get("batchSize").asInt());
    if (spec.has("lingerMs")) props.put(ProducerConfig.LINGER_MS_CONFIG, spec.get("lingerMs").asInt());
    if (spec.has("maxRequestSize")) props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, spec.get("maxRequestSize").asInt());
    if (spec.has("bufferMemory")) props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, spec.get("bufferMemory").asLong());
    if (spec.has("transactionalId")) props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, spec.get("transactionalId").asText());
    return props;
  }

  static ProducerRecord<byte[], byte[]> toRecord(String defaultTopic, JsonNode record) {
    String topic = record.path("topic").asText(defaultTopic);
    Integer partition = record.has("partition") ? record.get("partition").asInt() : null;
    byte[] key = record.has("key") ? record.get("key").asText().getBytes(StandardCharsets.UTF_8) : null;
    byte[] value = null;
    if (record.has("value")) {
      String text = record.get("value").asText();
      int padTo = record.path("padTo").asInt(0);
      value = record.has("fillAt") ? filled(text, padTo, record.get("fillAt")) : padded(text, padTo);
    }
    List<Header> headers = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> fields = record.path("headers").fields(); fields.hasNext(); ) {
      Map.Entry<String, JsonNode> field = fields.next();
      headers.add(new RecordHeader(field.getKey(), field.getValue().asText().getBytes(StandardCharsets.UTF_8)));
    }
    return new ProducerRecord<>(topic, partition, key, value, headers);
  }

  /** JSON allows whitespace after the value: the same valid event, padTo bytes long. */
  static byte[] padded(String text, int padTo) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    if (padTo <= bytes.length) return bytes;
    byte[] value = Arrays.copyOf(bytes, padTo);
    Arrays.fill(value, bytes.length, padTo, (byte) ' ');
    return value;
  }

  /**
   * Replaces fillAt.placeholder in the text with a JSON array of fillAt.item repeated, as many as
   * fit in padTo bytes: a valid event whose bytes are all structure (say "{}" items, the shape that
   * costs JSON.parse the most heap per byte), not whitespace the parser drops.
   */
  static byte[] filled(String text, int padTo, JsonNode fillAt) {
    String placeholder = required(fillAt, "placeholder").asText();
    byte[] item = required(fillAt, "item").asText().getBytes(StandardCharsets.UTF_8);
    int at = text.indexOf(placeholder);
    if (at < 0) throw new IllegalArgumentException("the value lacks the fillAt placeholder");
    byte[] head = text.substring(0, at).getBytes(StandardCharsets.UTF_8);
    byte[] tail = text.substring(at + placeholder.length()).getBytes(StandardCharsets.UTF_8);
    int room = padTo - head.length - tail.length - 2; // the brackets
    int count = Math.max(0, (room + 1) / (item.length + 1)); // items and the commas between them
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(padTo);
    out.writeBytes(head);
    out.write('[');
    for (int i = 0; i < count; i += 1) {
      if (i > 0) out.write(',');
      out.writeBytes(item);
    }
    out.write(']');
    out.writeBytes(tail);
    return out.toByteArray();
  }

  static void awaitAll(List<Future<RecordMetadata>> pending) throws Exception {
    for (Future<RecordMetadata> future : pending) future.get();
    pending.clear();
  }

  /** The topic's bytes on the broker's disk per partition: what the records cost compressed. */
  static Map<Integer, Long> logBytes(String bootstrap, String topic) throws Exception {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    Map<Integer, Long> bytes = new TreeMap<>();
    try (Admin admin = Admin.create(props)) {
      List<Integer> brokers =
          admin.describeCluster().nodes().get().stream().map(Node::id).collect(Collectors.toList());
      for (Map<String, LogDirDescription> dirs : admin.describeLogDirs(brokers).allDescriptions().get().values()) {
        for (LogDirDescription dir : dirs.values()) {
          for (Map.Entry<TopicPartition, ReplicaInfo> replica : dir.replicaInfos().entrySet()) {
            if (replica.getKey().topic().equals(topic)) {
              bytes.merge(replica.getKey().partition(), replica.getValue().size(), Long::sum);
            }
          }
        }
      }
    }
    return bytes;
  }
}
