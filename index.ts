/**
 * observability-stack: Istio, Jaeger and Kiali as one distributed-tracing stack.
 * The body lives in program.ts so that the Automation API harness runs the very same code.
 */
import { main } from "./program";

export = () => main();
