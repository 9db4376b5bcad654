// Kafka for the tests on a machine with a container engine: the image and settings of
// docker-compose.yml (Apache Kafka 4.4.0, single-node KRaft), so the tests, compose and the local
// stack run the same broker. @testcontainers/kafka drives Confluent images only (cp-kafka 8.0.0
// is Kafka 4.0), hence a GenericContainer. test/unit/stack/versions.test.ts keeps the settings
// below equal to compose's.
import { GenericContainer, Wait, type StartedTestContainer } from 'testcontainers';

export const kafkaImage = 'apache/kafka:4.4.0';

/** compose's `kafka` environment, with the client listener on `port`, advertised as host:port.
 * Without compose's KAFKA_LOG_DIRS: a test broker keeps nothing beyond its container. */
export function kafkaEnvironment(host: string, port: number): Record<string, string> {
  return {
    KAFKA_NODE_ID: '1',
    KAFKA_PROCESS_ROLES: 'broker,controller',
    KAFKA_LISTENERS: `PLAINTEXT://:${port},CONTROLLER://:9093`,
    KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://${host}:${port}`,
    KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
    KAFKA_INTER_BROKER_LISTENER_NAME: 'PLAINTEXT',
    KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
    KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
    KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS: '3',
    KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
    KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
    KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR: '1',
    KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR: '1',
    KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
    KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
    CLUSTER_ID: 'WtO4hxdJulQwvSGAqo-5Vw',
  };
}

/** A broker on `port` of the engine's host. The port is bound the same inside and outside, since a
 * Kafka client connects to the address the broker advertises, which must be known before it starts. */
export function startKafkaContainer(host: string, port: number): Promise<StartedTestContainer> {
  return new GenericContainer(kafkaImage)
    .withEnvironment(kafkaEnvironment(host, port))
    .withExposedPorts({ container: port, host: port })
    .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
    .withStartupTimeout(120_000)
    .start();
}
