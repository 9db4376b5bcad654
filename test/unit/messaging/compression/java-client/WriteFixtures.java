// Writes the Java client's compressed streams of one text (see java-client.ts) for the codec tests:
//   java -cp '.cache/kafka/libs-4.4.0/*' test/unit/messaging/compression/java-client/WriteFixtures.java \
//     test/unit/messaging/compression/java-client
import java.io.*;
import java.nio.ByteBuffer;
import java.nio.file.*;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.internals.ByteBufferOutputStream;

public class WriteFixtures {
  public static void main(String[] args) throws Exception {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 3000; i++) sb.append("{\"n\":" + i + ",\"product\":\"p-" + (i % 17) + "\",\"qty\":" + (i % 5) + "}\n");
    byte[] plain = sb.toString().getBytes("UTF-8");
    Path dir = Paths.get(args[0]);
    for (String name : new String[] {"gzip", "snappy", "lz4", "zstd"}) {
      Compression c = switch (name) {
        case "gzip" -> Compression.gzip().build();
        case "snappy" -> Compression.snappy().build();
        case "lz4" -> Compression.lz4().build();
        default -> Compression.zstd().build();
      };
      ByteBufferOutputStream out = new ByteBufferOutputStream(1024);
      try (OutputStream os = c.wrapForOutput(out, RecordBatch.MAGIC_VALUE_V2)) { os.write(plain); }
      ByteBuffer buf = out.buffer(); buf.flip();
      byte[] bytes = new byte[buf.remaining()]; buf.get(bytes);
      Files.write(dir.resolve("java-" + name + ".bin"), bytes);
      System.out.println(name + " " + plain.length + " -> " + bytes.length);
    }
  }
}
