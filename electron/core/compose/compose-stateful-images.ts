// Images known to keep state (databases, caches, brokers), recognised by their repository name whatever the registry or tag.

/** Repository names (a path component, or a whole path) of images whose containers are a store, not a replica of a web service. */
const STATEFUL_REPOSITORIES = new Set([
  'postgres', 'postgresql', 'postgis', 'timescaledb', 'timescaledb-ha', 'pgautoupgrade', 'pgvector', 'cockroach',
  'mysql', 'mysql-server', 'mariadb', 'percona', 'percona-server', 'mssql', 'azure-sql-edge',
  'mongo', 'mongodb', 'mongodb-community-server',
  'redis', 'redis-stack', 'redis-stack-server', 'redismod', 'valkey', 'keydb', 'dragonfly', 'memcached',
  'clickhouse', 'clickhouse-server', 'elasticsearch', 'opensearch', 'solr', 'meilisearch', 'typesense',
  'cassandra', 'scylla', 'couchdb', 'couchbase', 'influxdb', 'neo4j', 'etcd', 'minio', 'questdb',
  'qdrant', 'weaviate', 'milvus', 'kafka', 'cp-kafka', 'redpanda', 'zookeeper', 'cp-zookeeper',
  'rabbitmq', 'nats', 'nats-streaming', 'pulsar', 'activemq', 'activemq-artemis', 'mosquitto', 'emqx',
  // Stores that keep what they receive in memory: each replica would hold a part of it.
  'jaeger', 'jaegertracing/all-in-one', 'prometheus', 'loki', 'tempo', 'mailpit', 'maildev', 'mailhog',
]);

/** The repository's path components, without registry, tag and digest: `ghcr.io/bitnami/postgresql:16` -> bitnami, postgresql. */
export function repositoryPath(image: string): string[] {
  const name = image.replace(/@.*$/, '').replace(/:[\w][\w.-]*$/, '').toLowerCase();
  const parts = name.split('/');
  const first = parts[0] ?? '';
  if (parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost')) parts.shift();
  return parts;
}

/** The stateful repository name the image is, or undefined. */
export function statefulImage(image: string): string | undefined {
  const parts = repositoryPath(image);
  const whole = parts.join('/');
  return STATEFUL_REPOSITORIES.has(whole) ? whole : parts.find((part) => STATEFUL_REPOSITORIES.has(part));
}
