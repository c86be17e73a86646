/** Invalid configs: Jaeger (`jaeger.*`): storage, Elasticsearch and its jobs, replicas, resources, image. */
import { RawConfig } from "../../config";
import { Case, DEV, PROD } from "./shared";

const ES = { type: "elasticsearch", url: "https://es.logging.svc:9200", username: "jaeger", passwordSecret: { name: "es", key: "password" } };
const ES_KEYS = "type, maxTraces, url, username, passwordSecret, indexPrefix, tls, dependencies, indexCleaner, rollover";

function without(raw: RawConfig, key: string): RawConfig {
    return Object.fromEntries(Object.entries(raw).filter(([k]) => k !== key));
}

export const JAEGER_CASES: readonly Case[] = [
    // jaeger
    { mistake: "cassandra storage", raw: { ...DEV, jaeger: { storage: { type: "cassandra" } } }, first: 'jaeger.storage.type: got "cassandra"; allowed: memory, elasticsearch' },
    {
        mistake: "elasticsearch without its URL",
        raw: { ...DEV, jaeger: { storage: { type: "elasticsearch" } } },
        first: "jaeger.storage.url: got nothing; required: the URL of an existing Elasticsearch cluster",
    },
    {
        mistake: "an elasticsearch URL without scheme",
        raw: { ...DEV, jaeger: { storage: { ...ES, url: "elasticsearch:9200" } } },
        first: 'jaeger.storage.url: got "elasticsearch:9200"; expected an http:// or https:// URL',
    },
    { mistake: "an empty elasticsearch user", raw: { ...DEV, jaeger: { storage: { ...ES, username: "" } } }, first: 'jaeger.storage.username: got ""; required: the Elasticsearch user name' },
    {
        mistake: "a password Secret without key",
        raw: { ...DEV, jaeger: { storage: { ...ES, passwordSecret: { name: "es" } } } },
        first: "jaeger.storage.passwordSecret.key: got nothing; required: the key of the password in that Secret",
    },
    {
        mistake: "an unknown key in the password Secret",
        raw: { ...DEV, jaeger: { storage: { ...ES, passwordSecret: { name: "es", key: "password", namespace: "logging" } } } },
        first: 'jaeger.storage.passwordSecret.namespace: got "logging"; unknown key; allowed keys of jaeger.storage.passwordSecret: name, key',
    },
    {
        mistake: "an elasticsearch URL on memory storage",
        raw: { ...DEV, jaeger: { storage: { url: "https://es.logging.svc:9200" } } },
        first: 'jaeger.storage.url: got "https://es.logging.svc:9200"; only allowed with jaeger.storage.type elasticsearch',
    },
    {
        mistake: "two in-memory replicas",
        raw: { ...DEV, jaeger: { replicas: 2 } },
        first: "jaeger.replicas: got 2; in-memory storage needs exactly 1 replica (each replica would hold a part of the traces)",
    },
    { mistake: "eleven replicas", raw: { ...DEV, jaeger: { storage: ES, replicas: 11 } }, first: "jaeger.replicas: got 11; expected an integer from 1 to 10" },
    {
        mistake: "a quantity in words",
        raw: { ...DEV, jaeger: { resources: { limits: { memory: "lots" } } } },
        first: 'jaeger.resources.limits.memory: got "lots"; expected a Kubernetes quantity such as 500m or 512Mi',
    },
    { mistake: "a null quantity", raw: { ...DEV, jaeger: { resources: { limits: { cpu: null } } } }, first: "jaeger.resources.limits.cpu: got null; expected a non-empty string" },
    {
        mistake: "an unknown resource",
        raw: { ...DEV, jaeger: { resources: { requests: { gpu: "1" } } } },
        first: 'jaeger.resources.requests.gpu: got "1"; unknown key; allowed keys of jaeger.resources.requests: cpu, memory',
    },
    { mistake: "an empty image tag", raw: { ...DEV, jaeger: { image: { tag: "" } } }, first: 'jaeger.image.tag: got ""; expected a non-empty string' },
    {
        mistake: "an unknown jaeger key",
        raw: { ...DEV, jaeger: { version: "1.53.0" } },
        first: 'jaeger.version: got "1.53.0"; unknown key; allowed keys of jaeger: storage, replicas, resources, image, monitor',
    },
    { mistake: "an unbounded memory store", raw: { ...DEV, jaeger: { storage: { maxTraces: 0 } } }, first: "jaeger.storage.maxTraces: got 0; expected an integer from 1 to 10000000" },
    {
        mistake: "a memory bound on elasticsearch",
        raw: { ...DEV, jaeger: { storage: { ...ES, maxTraces: 5000 } } },
        first: "jaeger.storage.maxTraces: got 5000; only allowed with jaeger.storage.type memory",
    },
    {
        mistake: "TLS settings on memory storage",
        raw: { ...DEV, jaeger: { storage: { tls: { insecureSkipVerify: true } } } },
        first: 'jaeger.storage.tls: got {"insecureSkipVerify":true}; only allowed with jaeger.storage.type elasticsearch',
    },
    {
        mistake: "a CA and skip-verify together",
        raw: { ...DEV, jaeger: { storage: { ...ES, tls: { caSecret: { name: "es-ca", key: "ca.crt" }, insecureSkipVerify: true } } } },
        first: "jaeger.storage.tls.insecureSkipVerify: got true; set either caSecret or insecureSkipVerify, not both: with the CA the certificate can be verified",
    },
    {
        mistake: "a CA for a plain http URL",
        raw: { ...DEV, jaeger: { storage: { ...ES, url: "http://es.logging.svc:9200", tls: { caSecret: { name: "es-ca", key: "ca.crt" } } } } },
        first: 'jaeger.storage.tls.caSecret: got {"name":"es-ca","key":"ca.crt"}; only allowed with an https:// url',
    },
    {
        mistake: "skip-verify with the dependencies job",
        raw: { ...DEV, jaeger: { storage: { ...ES, tls: { insecureSkipVerify: true } } } },
        first: "jaeger.storage.tls.insecureSkipVerify: got true; the dependencies job (Spark, Java) cannot skip certificate verification: give the CA in tls.caSecret, or set dependencies.enabled false",
    },
    {
        mistake: "a CA Secret name with a dot",
        raw: { ...DEV, jaeger: { storage: { ...ES, tls: { caSecret: { name: "es.ca", key: "ca.crt" } } } } },
        first: 'jaeger.storage.tls.caSecret.name: got "es.ca"; expected a Secret name that is a DNS label (the jaeger 3.x chart names a volume after it)',
    },
    {
        mistake: "a URL path with the dependencies job",
        raw: { ...DEV, jaeger: { storage: { ...ES, url: "https://es.example.com/elastic" } } },
        first: 'jaeger.storage.url: got "https://es.example.com/elastic"; a URL path is not supported with the dependencies job: Spark\'s Elasticsearch connector takes host:port from ES_NODES and reads a path prefix only from es.nodes.path.prefix, which the job does not set; serve Elasticsearch at the root of a host, or set dependencies.enabled false',
    },
    {
        mistake: "a URL path on the 3.x chart",
        raw: { ...DEV, charts: { jaeger: { version: "3.4.1" } }, jaeger: { storage: { ...ES, url: "https://es.example.com/elastic", dependencies: { enabled: false } } } },
        first: 'jaeger.storage.url: got "https://es.example.com/elastic"; a URL path is not supported with the jaeger 3.x chart (it builds scheme://host:port for Jaeger and its jobs and drops the path); use a URL without a path, or jaeger 4.x',
    },
    {
        mistake: "a schedule in words",
        raw: { ...DEV, jaeger: { storage: { ...ES, dependencies: { schedule: "every night" } } } },
        first: 'jaeger.storage.dependencies.schedule: got "every night"; expected a cron schedule such as 49 23 * * * (five fields, or @daily)',
    },
    {
        mistake: "a retention of zero days",
        raw: { ...DEV, jaeger: { storage: { ...ES, indexCleaner: { retentionDays: 0 } } } },
        first: "jaeger.storage.indexCleaner.retentionDays: got 0; expected an integer from 1 to 3650",
    },
    {
        mistake: "an unknown index cleaner key",
        raw: { ...DEV, jaeger: { storage: { ...ES, indexCleaner: { numberOfDays: 7 } } } },
        first: "jaeger.storage.indexCleaner.numberOfDays: got 7; unknown key; allowed keys of jaeger.storage.indexCleaner: enabled, retentionDays, schedule",
    },
    {
        mistake: "a rollover age in words",
        raw: { ...DEV, jaeger: { storage: { ...ES, rollover: { enabled: true, maxAge: "1 day" } } } },
        first: 'jaeger.storage.rollover.maxAge: got "1 day"; expected an Elasticsearch age such as 1d or 12h',
    },
    {
        mistake: "rollover on a jaeger chart of unknown appVersion",
        raw: { ...DEV, charts: { jaeger: { version: "4.12.0" } }, jaeger: { storage: { ...ES, rollover: { enabled: true } } } },
        first: "jaeger.storage.rollover.enabled: got true; rollover needs the image tag of the chart's rollover init step, known for jaeger charts 3.4.1, 4.11.1; got chart 4.12.0",
    },
    {
        mistake: "an unknown elasticsearch key",
        raw: { ...DEV, jaeger: { storage: { ...ES, shards: 3 } } },
        first: `jaeger.storage.shards: got 3; unknown key; allowed keys of jaeger.storage: ${ES_KEYS}`,
    },
    {
        mistake: "in-memory storage outside dev",
        raw: without(PROD, "jaeger"),
        first: 'jaeger.storage.type: got "memory"; in-memory storage is only allowed when environment is dev; use elasticsearch',
    },
];
