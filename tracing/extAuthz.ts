/**
 * External authorization servers for the gateway's ext_authz filter, one per protocol of Istio's
 * ext-authz providers: HTTP (Envoy sends a request with the allowed headers) and gRPC
 * (`envoy.service.auth.v3.Authorization/Check` over HTTP/2, the CheckRequest carrying every request
 * header). Both deny a request whose `authorization` is `Bearer deny` and record what they received:
 * the headers of the check call itself (Envoy injects the trace context of its ext_authz span there)
 * and, for gRPC, the original request's headers from the CheckRequest. The gRPC server speaks the wire
 * format directly (node:http2 and a few protobuf fields) so that the suite needs no gRPC library.
 */
import * as http from "http";
import * as http2 from "http2";
import { LOOPBACK } from "./loopback";

/** What the server saw for one check. */
export interface CheckCall {
    /** Headers of the check request (HTTP) or of the gRPC call (metadata). */
    readonly callHeaders: Readonly<Record<string, string>>;
    /** gRPC: the original request's headers in CheckRequest.attributes.request.http.headers; HTTP: the same as callHeaders. */
    readonly requestHeaders: Readonly<Record<string, string>>;
    readonly path: string;
    readonly allowed: boolean;
}

export const DENY_TOKEN = "Bearer deny";

/** Reads the fields of one protobuf message: field number -> raw values (length-delimited ones as bytes). */
function fields(buf: Buffer): Map<number, (Buffer | bigint)[]> {
    const out = new Map<number, (Buffer | bigint)[]>();
    let i = 0;
    const varint = (): bigint => {
        let v = 0n;
        for (let shift = 0n; ; shift += 7n) {
            const b = buf[i++];
            v |= BigInt(b & 0x7f) << shift;
            if ((b & 0x80) === 0) {
                return v;
            }
        }
    };
    while (i < buf.length) {
        const tag = Number(varint());
        const [field, wire] = [tag >> 3, tag & 7];
        let value: Buffer | bigint;
        if (wire === 0) {
            value = varint();
        } else if (wire === 2) {
            const len = Number(varint());
            value = buf.subarray(i, i + len);
            i += len;
        } else if (wire === 1 || wire === 5) {
            value = buf.subarray(i, i + (wire === 1 ? 8 : 4));
            i += wire === 1 ? 8 : 4;
        } else {
            throw new Error(`protobuf wire type ${wire} not supported`);
        }
        out.set(field, [...(out.get(field) ?? []), value]);
    }
    return out;
}

function sub(m: Map<number, (Buffer | bigint)[]>, field: number): Map<number, (Buffer | bigint)[]> {
    const v = m.get(field)?.[0];
    return v instanceof Buffer ? fields(v) : new Map();
}

/** CheckRequest.attributes(1).request(4).http(2).headers(3): a map<string, string> (entries key=1, value=2). */
function checkRequestHeaders(message: Buffer): Record<string, string> {
    const httpRequest = sub(sub(sub(fields(message), 1), 4), 2);
    return Object.fromEntries(
        (httpRequest.get(3) ?? []).map((entry) => {
            const e = fields(entry as Buffer);
            return [String(e.get(1)?.[0] ?? ""), String(e.get(2)?.[0] ?? "")];
        }),
    );
}

/** CheckResponse{status(1): google.rpc.Status{code(1)}}: OK (0) or PERMISSION_DENIED (7); Envoy answers 403 to the latter. */
function checkResponse(allowed: boolean): Buffer {
    const status = allowed ? Buffer.alloc(0) : Buffer.from([0x08, 0x07]);
    return Buffer.concat([Buffer.from([0x0a, status.length]), status]);
}

function plain(headers: http.IncomingHttpHeaders | http2.IncomingHttpHeaders): Record<string, string> {
    return Object.fromEntries(Object.entries(headers).flatMap(([k, v]) => (v === undefined ? [] : [[k, Array.isArray(v) ? v.join(",") : v]])));
}

export class ExtAuthzServer {
    readonly calls: CheckCall[] = [];

    private constructor(
        readonly protocol: "grpc" | "http",
        readonly port: number,
        private readonly close: () => Promise<void>,
    ) {}

    static async start(protocol: "grpc" | "http", port: number): Promise<ExtAuthzServer> {
        let server: ExtAuthzServer;
        const record = (c: CheckCall) => server.calls.push(c);
        if (protocol === "http") {
            const s = http.createServer((req, res) => {
                const headers = plain(req.headers);
                const allowed = headers.authorization !== DENY_TOKEN;
                record({ callHeaders: headers, requestHeaders: headers, path: req.url ?? "", allowed });
                req.resume();
                res.writeHead(allowed ? 200 : 403).end();
            });
            await new Promise<void>((r) => s.listen(port, LOOPBACK, r));
            // Envoy keeps its connections open: close them, or close() waits for them.
            server = new ExtAuthzServer(
                protocol,
                port,
                () =>
                    new Promise((r) => {
                        s.close(() => r());
                        s.closeAllConnections();
                    }),
            );
            return server;
        }
        const s = http2.createServer();
        const sessions = new Set<http2.ServerHttp2Session>();
        s.on("session", (session) => {
            sessions.add(session);
            session.on("close", () => sessions.delete(session));
        });
        s.on("stream", (stream, headers) => {
            const chunks: Buffer[] = [];
            stream.on("data", (c: Buffer) => chunks.push(c));
            stream.on("end", () => {
                const frame = Buffer.concat(chunks);
                // gRPC framing: 1 byte compressed flag, 4 bytes length, then the message.
                const requestHeaders = checkRequestHeaders(frame.subarray(5, 5 + frame.readUInt32BE(1)));
                const allowed = requestHeaders.authorization !== DENY_TOKEN;
                record({ callHeaders: plain(headers), requestHeaders, path: String(headers[":path"]), allowed });
                const body = checkResponse(allowed);
                const out = Buffer.alloc(5 + body.length);
                out.writeUInt32BE(body.length, 1);
                body.copy(out, 5);
                stream.respond({ ":status": 200, "content-type": "application/grpc" }, { waitForTrailers: true });
                stream.on("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
                stream.end(out);
            });
        });
        await new Promise<void>((r) => s.listen(port, LOOPBACK, r));
        server = new ExtAuthzServer(
            protocol,
            port,
            () =>
                new Promise((r) => {
                    s.close(() => r());
                    sessions.forEach((x) => x.destroy());
                }),
        );
        return server;
    }

    stop(): Promise<void> {
        return this.close();
    }
}
