import { inlineStack, WORK_DIR } from "./harness";
import * as path from "path";
(async () => {
  const stack = await inlineStack({ name: "try", backendDir: path.join(WORK_DIR, "try-state"), workDir: path.join(WORK_DIR, "try"), passphrase: "x",
    config: { environment: "dev", awaitReadiness: false, kiali: { authStrategy: "anonymous" },
      charts: Object.fromEntries(["istioBase","istiod","istioGateway","jaeger","kiali"].map(r => [r, { repo: "http://127.0.0.1:8879" }])),
      appNamespaces: ["auth"], createAppNamespaces: true, externalServices: [{ name: "openai-external", hosts: ["api.openai.com"] }] } });
  const t0 = Date.now();
  const r = await stack.preview({ onOutput: (s) => process.stdout.write(s), policyPacks: [path.resolve(__dirname, "../.work/dbgpack/analyzer")] });
  console.log("preview done", (Date.now()-t0)/1000, JSON.stringify(r.changeSummary));
})().catch(e => { console.error("FAILED", e); process.exit(1); });
