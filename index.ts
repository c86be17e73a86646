/**
 * observability-stack: Istio, Jaeger and Kiali as one distributed-tracing stack.
 * The body lives in program.ts so that the test programs under e2e/programs/ run the very same code.
 */
import { main } from "./program";

export = () => main();
