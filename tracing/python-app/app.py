"""The Python app hop, as the reference deployment ran it: FastAPI started with
`opentelemetry-instrument uvicorn app:app` (zero-code instrumentation), configured only from the
environment the stack exports (OTEL_SERVICE_NAME, the OTLP exporter and endpoint, OTEL_PROPAGATORS).

The code holds no tracing setup. It reads the current span through the OpenTelemetry API only to
write one JSON log line per request with the trace context (as the reference's logging did), and
offers /__flush so the suite need not wait for the batch span processor's 5 s schedule.
"""

import json
import os
import sys
from datetime import datetime, timezone

from fastapi import FastAPI, Request
from opentelemetry import trace

app = FastAPI()
SERVICE_NAME = os.environ.get("OTEL_SERVICE_NAME", "unknown")


@app.get("/__flush", status_code=204)
def flush() -> None:
    provider = trace.get_tracer_provider()
    # Without instrumentation (an SDK that failed to start) the API's proxy provider has nothing to flush.
    if hasattr(provider, "force_flush"):
        provider.force_flush()


@app.get("/{path:path}")
def handle(path: str, request: Request) -> dict:
    ctx = trace.get_current_span().get_span_context()
    trace_id = format(ctx.trace_id, "032x")
    span_id = format(ctx.span_id, "016x")
    line = {
        "@timestamp": datetime.now(timezone.utc).isoformat(),
        "trace.id": trace_id,
        "span.id": span_id,
        "url.path": request.url.path,
        "service.name": SERVICE_NAME,
        "request.id": request.headers.get("x-request-id"),
    }
    sys.stdout.write(json.dumps(line) + "\n")
    sys.stdout.flush()
    return {"traceId": trace_id, "spanId": span_id}
