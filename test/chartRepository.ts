/**
 * The upstream chart packages the scripts serve (scripts/cluster.sh: OBS_CHARTS_DIR, by default ../shared/charts
 * beside the project), served on 127.0.0.1 by a static server of the test's own. Paths under `/private/` answer 401,
 * as a repository that needs credentials does.
 */
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as path from "path";

const CHARTS = path.resolve(process.env.OBS_CHARTS_DIR ?? path.join(__dirname, "..", "..", "shared", "charts"));

export interface ChartRepository {
    /** `http://127.0.0.1:<port>` */
    readonly url: string;
    /** Every path the repository was asked for, in order. */
    readonly requests: string[];
    close(): void;
}

export async function serveCharts(): Promise<ChartRepository> {
    if (!fs.existsSync(path.join(CHARTS, "index.yaml"))) {
        throw new Error(`${CHARTS}/index.yaml is missing: the tests need ../shared/charts beside the project (or OBS_CHARTS_DIR)`);
    }
    const requests: string[] = [];
    const server = http.createServer((req, res) => {
        requests.push(req.url ?? "");
        if ((req.url ?? "").startsWith("/private/")) {
            res.writeHead(401).end();
            return;
        }
        const file = path.join(CHARTS, path.normalize(decodeURIComponent(req.url ?? "/")).replace(/^(\.\.[/\\])+/, ""));
        if (!file.startsWith(CHARTS) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
            res.writeHead(404).end();
            return;
        }
        res.writeHead(200).end(fs.readFileSync(file));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, close: () => server.close() };
}
