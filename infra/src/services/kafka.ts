import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kafkaNodePorts } from '@vsp/platform';
import { Kafka, logLevel } from 'kafkajs';
import type { InfraConfig } from '../config.js';
import { InstallFailedError, ToolMissingError } from '../errors.js';
import { LocalService, serviceNodes } from '../local-service.js';
import type { SpawnSpec } from '../managed-process.js';
import { commandExists, runCommand } from '../run-command.js';

export const KAFKA_VERSION = '4.4.0';
const pom = fileURLToPath(new URL('../../kafka/pom.xml', import.meta.url));
const installs = new Map<string, Promise<void>>();

/** Kafka's command-line tools by the name of their kafka-<name>.sh script, and the class each runs. */
export const KAFKA_TOOLS = {
  topics: 'org.apache.kafka.tools.TopicCommand',
  'consumer-groups': 'org.apache.kafka.tools.consumer.group.ConsumerGroupCommand',
  configs: 'kafka.admin.ConfigCommand',
  'get-offsets': 'org.apache.kafka.tools.GetOffsetShell',
  'console-consumer': 'org.apache.kafka.tools.consumer.ConsoleConsumer',
} as const;
export type KafkaTool = keyof typeof KAFKA_TOOLS;

/**
 * One node of Apache Kafka in KRaft mode, broker and controller in one process, run from its Maven
 * Central jars. INFRA_KAFKA_BROKERS nodes make one cluster: each its own data, ports, pid and log,
 * all of them voters of the controller quorum.
 */
export class KafkaService extends LocalService {
  readonly name: string;
  readonly #node: number;
  readonly #jarDir: string;

  /** The nodes of this checkout's cluster (one when KAFKA_BROKERS points elsewhere: the probe). */
  static cluster(config: InfraConfig): KafkaService[] {
    return serviceNodes('kafka', config.INFRA_KAFKA_BROKERS, config.KAFKA_BROKERS !== undefined).map(
      ([id, node]) => new KafkaService(config, id, node),
    );
  }

  private constructor(config: InfraConfig, id: string, node: number) {
    super(config, id, 'KAFKA_BROKERS', 'INFRA_KAFKA_PORT');
    this.name = id;
    this.#node = node;
    this.#jarDir = join(config.INFRA_CACHE_DIR, `kafka-${KAFKA_VERSION}`);
  }

  override get address(): string {
    return this.external ? this.endpoint : `localhost:${this.#ports.broker}`;
  }

  get #ports(): { broker: number; controller: number } {
    return kafkaNodePorts(this.config)[this.#node - 1] as { broker: number; controller: number };
  }

  override checkPrerequisites(): Promise<void> {
    return requireJava({ andMaven: !this.#jarsThere() });
  }

  /** The nodes of a cluster share the jars: the first to ask fetches them, the others wait for it. */
  protected install(): Promise<void> {
    let installing = installs.get(this.#jarDir);
    if (!installing) {
      installing = this.#fetchJars();
      installs.set(this.#jarDir, installing);
      installing.catch(() => installs.delete(this.#jarDir));
    }
    return installing;
  }

  #jarsThere(): boolean {
    const jars = [`kafka_2.13-${KAFKA_VERSION}.jar`, `kafka-tools-${KAFKA_VERSION}.jar`];
    return jars.every((jar) => existsSync(join(this.#jarDir, jar)));
  }

  async #fetchJars(): Promise<void> {
    if (this.#jarsThere()) return;
    this.progress(`fetching Kafka ${KAFKA_VERSION} jars from Maven Central into ${this.#jarDir} (first start only)`);
    try {
      await runCommand('mvn', [
        '-q',
        '-B',
        '-f',
        pom,
        `-Dkafka.version=${KAFKA_VERSION}`,
        'dependency:copy-dependencies',
        `-DoutputDirectory=${this.#jarDir}`,
        '-DincludeScope=runtime',
      ]);
    } catch (error) {
      throw new InstallFailedError(`Kafka ${KAFKA_VERSION} jars`, 'mvn dependency:copy-dependencies failed', error);
    }
  }

  protected async prepare(): Promise<void> {
    const { broker, controller } = this.#ports;
    const nodes = kafkaNodePorts(this.config);
    // Internal topics as durable as the cluster allows: 3 replicas, 2 in sync, from 3 nodes on.
    const replicas = Math.min(3, nodes.length);
    writeFileSync(
      this.#propertiesFile,
      [
        'process.roles=broker,controller',
        `node.id=${this.#node}`,
        `controller.quorum.voters=${nodes.map((n, i) => `${i + 1}@127.0.0.1:${n.controller}`).join(',')}`,
        `listeners=PLAINTEXT://127.0.0.1:${broker},CONTROLLER://127.0.0.1:${controller}`,
        `advertised.listeners=PLAINTEXT://localhost:${broker}`,
        'controller.listener.names=CONTROLLER',
        'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
        `log.dirs=${join(this.dataDir, 'log')}`,
        // Topics are created by our code with explicit specs, never by a stray produce.
        'auto.create.topics.enable=false',
        'num.partitions=1',
        `offsets.topic.replication.factor=${replicas}`,
        'offsets.topic.num.partitions=10',
        `transaction.state.log.replication.factor=${replicas}`,
        `transaction.state.log.min.isr=${Math.min(2, replicas)}`,
        'group.initial.rebalance.delay.ms=0',
        // A lost node is fenced and its partitions get new leaders after 3 s, not the default 9 s:
        // a local cluster exists to try broker loss, and the shorter the election, the fewer 503s.
        'broker.session.timeout.ms=3000',
        'broker.heartbeat.interval.ms=500',
        '',
      ].join('\n'),
    );
    writeFileSync(this.#log4jFile, log4j2Config('info', 'SYSTEM_OUT'));
    if (existsSync(join(this.dataDir, 'log', 'meta.properties'))) return;
    await runCommand('java', [
      ...this.#javaArgs(),
      'kafka.tools.StorageTool',
      'format',
      // Joined to its option: an id may begin with '-' (base64url), which apart reads as an option.
      `--cluster-id=${this.#clusterId()}`,
      '-c',
      this.#propertiesFile,
    ]);
  }

  protected launchSpec(): SpawnSpec {
    return {
      command: 'java',
      args: ['-Xms256m', '-Xmx1g', '-XX:+UseG1GC', ...this.#javaArgs(), 'kafka.Kafka', this.#propertiesFile],
    };
  }

  /** Every node of a cluster is formatted with the same id, made once and kept beside their data. */
  #clusterId(): string {
    const file = join(this.config.INFRA_HOME, 'data', 'kafka-cluster-id');
    if (!existsSync(file)) {
      writeFileSync(file, Buffer.from(randomUUID().replaceAll('-', ''), 'hex').toString('base64url'));
    }
    return readFileSync(file, 'utf8').trim();
  }

  /** This node answers as a broker of a cluster that has an active controller. */
  async isReady(): Promise<boolean> {
    const admin = new Kafka({
      clientId: 'infra-probe',
      brokers: this.address.split(','),
      connectionTimeout: 1_000,
      requestTimeout: 2_000,
      retry: { retries: 0 },
      logLevel: logLevel.NOTHING,
    }).admin();
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      return cluster.brokers.length > 0 && cluster.controller !== null;
    } catch {
      return false;
    } finally {
      await admin.disconnect();
    }
  }

  /**
   * The java command line of one of Kafka's own command-line tools (kafka-topics.sh and friends,
   * which ship in the distribution archive we do not download), run from the cached jars.
   */
  async toolCommand(tool: KafkaTool, args: readonly string[]): Promise<SpawnSpec> {
    await this.install();
    const log4j = join(this.#jarDir, '..', 'kafka-tools-log4j2.properties');
    writeFileSync(log4j, log4j2Config('warn', 'SYSTEM_ERR'));
    const bootstrap = args.includes('--bootstrap-server') ? [] : ['--bootstrap-server', this.endpoint];
    return {
      command: 'java',
      args: [
        '-Djava.awt.headless=true',
        `-Dlog4j2.configurationFile=${log4j}`,
        '-cp',
        `${this.#jarDir}/*`,
        KAFKA_TOOLS[tool],
        ...bootstrap,
        ...args,
      ],
    };
  }

  get #propertiesFile(): string {
    return join(this.dataDir, 'server.properties');
  }

  get #log4jFile(): string {
    return join(this.dataDir, 'log4j2.properties');
  }

  #javaArgs(): string[] {
    return ['-Djava.awt.headless=true', `-Dlog4j2.configurationFile=${this.#log4jFile}`, '-cp', `${this.#jarDir}/*`];
  }
}

/** Java runs Kafka and the registry; Maven fetches their jars, the first time only. */
export async function requireJava({ andMaven }: { andMaven: boolean }): Promise<void> {
  for (const tool of andMaven ? ['java', 'mvn'] : ['java']) {
    if (!(await commandExists(tool)))
      throw new ToolMissingError(tool, 'install a JDK 17+ and Maven (Debian: openjdk-17-jdk-headless maven)');
  }
}

/** A log4j2 configuration (Kafka 4 logs through log4j2): every logger at `level`, to one console stream. */
function log4j2Config(level: 'info' | 'warn', target: 'SYSTEM_OUT' | 'SYSTEM_ERR'): string {
  return [
    'status = warn',
    'appender.console.type = Console',
    'appender.console.name = console',
    `appender.console.target = ${target}`,
    'appender.console.layout.type = PatternLayout',
    'appender.console.layout.pattern = [%d] %p %m (%c)%n',
    `rootLogger.level = ${level}`,
    'rootLogger.appenderRef.console.ref = console',
    '',
  ].join('\n');
}
