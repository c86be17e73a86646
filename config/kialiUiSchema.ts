/**
 * The keys of what people look at: `kiali` (login, Prometheus and Grafana URLs, trace links),
 * `prometheus` (the Prometheus Kiali reads) and `ui` (Ingresses for the UIs and their auth proxy).
 */
import { KIALI_AUTH_STRATEGIES } from "../components/kiali";
import { DEFAULT_INGRESS_CONTROLLER_NAMESPACE } from "../lib/constants";
import * as f from "./fields";

export const DEFAULT_PROMETHEUS_URL = "http://prometheus-operated.prometheus.svc.cluster.local:9090";

const signingKey = f.nonEmpty().superRefine((key, ctx) => {
    if (key !== "" && ![16, 24, 32].includes(key.length)) {
        ctx.addIssue({ code: "custom", input: `<secret of ${key.length} characters>`, message: "expected 16, 24 or 32 characters (an AES key)" });
    }
});

export const kiali = f
    .section(
        {
            /** Login strategies the program configures completely (openid needs client settings this program does not model). */
            authStrategy: f.oneOf(KIALI_AUTH_STRATEGIES).default("token"),
            /** Stable `login_token.signing_key` (16, 24 or 32 characters); a Pulumi secret. */
            signingKey: signingKey.optional(),
            prometheusUrl: f.httpUrl().default(DEFAULT_PROMETHEUS_URL),
            grafanaUrl: f.httpUrl().optional(),
            grafanaExternalUrl: f.httpUrl().optional(),
            /** Kiali reads traces over gRPC (port 16685) when true, HTTP (16686) when false. */
            tracingUseGrpc: f.bool().default(true),
            /** Jaeger UI address users' browsers open from Kiali. */
            tracingExternalUrl: f.httpUrl().optional(),
        },
        (k, report, valid) => {
            if (valid(["authStrategy"]) && k.authStrategy !== "anonymous" && k.signingKey === undefined) {
                report(["signingKey"], undefined, "required for auth strategies other than anonymous: set it with `pulumi config set --secret kiali.signingKey <16, 24 or 32 characters>`");
            }
            if (valid(["grafanaUrl"], ["grafanaExternalUrl"]) && k.grafanaUrl !== undefined && k.grafanaExternalUrl === undefined) {
                report(
                    ["grafanaExternalUrl"],
                    undefined,
                    'required when grafanaUrl is set: Kiali links to Grafana dashboards only through external_url (without it Kiali reports "grafana URL is not set" and shows no links)',
                );
            }
        },
    )
    .prefault({});

/** The cluster's Prometheus, which Kiali reads (`kiali.prometheusUrl`) and which must scrape the mesh. */
export const prometheus = f
    .section({
        /** Prometheus is run by the prometheus-operator: create Istio's PodMonitor (sidecars, gateway) and ServiceMonitor (istiod). */
        operator: f.bool().default(false),
        /** Labels added to both monitors, for the Prometheus resource's podMonitorSelector / serviceMonitorSelector. */
        monitorLabels: f.stringMap().default(() => ({})),
    })
    .prefault({});

/**
 * Ingress annotations that put an authenticating proxy in front of a UI: ingress-nginx's external
 * auth, the AWS Load Balancer Controller's OIDC/Cognito auth, Traefik's middlewares (a forward-auth
 * one). Another controller's annotation can be named with `ui.authProxyAnnotation`.
 * @see https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/#external-authentication
 */
export const AUTH_PROXY_ANNOTATIONS: readonly string[] = ["nginx.ingress.kubernetes.io/auth-url", "alb.ingress.kubernetes.io/auth-type", "traefik.ingress.kubernetes.io/router.middlewares"];

/** `authAnnotations` stays absent here (not `{}`): a rule reports an absent one as `nothing`. */
export const ui = f
    .section({
        kialiHost: f.matching(f.HOSTNAME, "expected a fully qualified host name such as kiali.example.com").optional(),
        jaegerHost: f.matching(f.HOSTNAME, "expected a fully qualified host name such as kiali.example.com").optional(),
        ingressClassName: f.nonEmpty().default("nginx"),
        /** Namespace of the ingress controller: the only namespace besides Kiali's pod that may reach Jaeger's query ports. */
        ingressControllerNamespace: f.matching(f.DNS_LABEL, "expected a namespace name").default(DEFAULT_INGRESS_CONTROLLER_NAMESPACE),
        tlsSecretName: f.matching(f.DNS_SUBDOMAIN, "expected a Secret name").optional(),
        /** Annotations that put an authenticating proxy in front of the UIs (required outside dev). */
        authAnnotations: f.stringMap().optional(),
        /** The annotation of `authAnnotations` that names the authenticating proxy, when it is none of {@link AUTH_PROXY_ANNOTATIONS}. */
        authProxyAnnotation: f.nonEmpty().optional(),
    })
    .prefault({});
