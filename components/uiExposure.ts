import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { JAEGER_PORTS, KIALI_PORT, QUERY_SERVICE, SYSTEM_NAMESPACE } from "../lib/constants";
import { awaitAnnotations } from "./helm";
import { KIALI_RELEASE } from "./kiali";
import { childOptions } from "./options";
import { componentType, withTypeAliases } from "./typeTokens";

/** Arguments of {@link UiExposure}. */
export interface UiExposureArgs {
    /** Host name of the Kiali UI; not exposed when undefined. */
    readonly kialiHost?: string;
    /** Host name of the Jaeger UI; not exposed when undefined. */
    readonly jaegerHost?: string;
    /**
     * Ingress class.
     * @default "nginx"
     */
    readonly ingressClassName?: string;
    /** TLS Secret for both hosts; plain HTTP when undefined. */
    readonly tlsSecretName?: string;
    /**
     * Annotations for the Ingresses, e.g. an authenticating proxy (`nginx.ingress.kubernetes.io/auth-url`)
     * and ExternalDNS.
     * @default {}
     */
    readonly annotations?: Readonly<Record<string, string>>;
    /**
     * Namespace of Kiali and Jaeger.
     * @default "istio-system"
     */
    readonly namespace?: string;
    /**
     * Wait for the ingress controller to publish an address.
     * @default true
     */
    readonly awaitReadiness?: boolean;
}

/**
 * Ingress spec routing one host to one Service port.
 * @internal A value builder: tests call it; programs use the component.
 */
export function uiIngressSpec(host: string, service: string, port: number, ingressClassName: string, tlsSecretName?: string): k8s.types.input.networking.v1.IngressSpec {
    return {
        ingressClassName,
        rules: [{ host, http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: service, port: { number: port } } } }] } }],
        ...(tlsSecretName !== undefined ? { tls: [{ hosts: [host], secretName: tlsSecretName }] } : {}),
    };
}

/** Ingresses for the Kiali and Jaeger UIs on configurable host names. */
export class UiExposure extends pulumi.ComponentResource {
    /** URL of each exposed UI, by UI (`kiali`, `jaeger`): known from the args alone. */
    public readonly urls: Readonly<Record<string, string>>;

    constructor(name: string, args: UiExposureArgs, opts?: pulumi.ComponentResourceOptions) {
        super(componentType("UiExposure"), name, {}, withTypeAliases("UiExposure", opts));
        const namespace = args.namespace ?? SYSTEM_NAMESPACE;
        const ingressClassName = args.ingressClassName ?? "nginx";
        const annotations = { ...(args.annotations ?? {}), ...awaitAnnotations(args.awaitReadiness ?? true) };
        const scheme = args.tlsSecretName !== undefined ? "https" : "http";
        const urls: Record<string, string> = {};
        const expose = (ui: string, host: string | undefined, service: string, port: number) => {
            if (host === undefined) {
                return;
            }
            new k8s.networking.v1.Ingress(
                `${name}-${ui}`,
                { metadata: { name: `${ui}-ui`, namespace, annotations }, spec: uiIngressSpec(host, service, port, ingressClassName, args.tlsSecretName) },
                childOptions(this, opts),
            );
            urls[ui] = `${scheme}://${host}`;
        };
        expose("kiali", args.kialiHost, KIALI_RELEASE, KIALI_PORT);
        expose("jaeger", args.jaegerHost, QUERY_SERVICE.name, JAEGER_PORTS.queryHttp);
        this.urls = urls;
        this.registerOutputs({ urls: this.urls });
    }
}
