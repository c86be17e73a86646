// Command istio-decode decodes Istio configuration strictly with the istio.io/api types of one Istio
// line: the mesh config (ConfigMap istio, key mesh), and the spec of Telemetry and ServiceEntry
// resources. scripts/toolchain.sh builds it once per line, each build in a module of its own that
// pins istio.io/api to the version istio/istio's go.mod pins at that tag (one module can hold only
// one istio.io/api version, and both versions register the same protobuf names).
//
//	istio-decode version              prints the istio.io/api module version it was built with
//	istio-decode < items.json         decodes [{"id", "kind", "yaml" | "json"}], prints [{"id", "error"}]
//
// kind is MeshConfig (yaml: the mesh document as the ConfigMap holds it), Telemetry or ServiceEntry
// (json: the resource's spec). An empty error means the document decoded.
//
// Strict on purpose, stricter than istiod: istiod decodes the mesh config with
// protomarshal.ApplyYAML -> ApplyJSON, which tries a strict jsonpb.Unmarshaler and, on error, retries
// with AllowUnknownFields: true, logging only at debug level (pkg/util/protomarshal/protomarshal.go
// @1.24.2, lines 174-185; reached from pkg/config/mesh/mesh.go ApplyMeshConfig). An unknown or
// misspelled field is therefore dropped silently by istiod; here it fails, naming the field, which is
// the mistake this checker exists to catch. Custom resources reach istiod through crd.ConvertObject ->
// config.ApplyJSON, lenient too (pilot/pkg/config/kube/crd/conversion.go). Type errors fail in both.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime/debug"

	meshconfig "istio.io/api/mesh/v1alpha1"
	networking "istio.io/api/networking/v1alpha3"
	telemetry "istio.io/api/telemetry/v1alpha1"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"sigs.k8s.io/yaml"
)

type item struct {
	ID   string          `json:"id"`
	Kind string          `json:"kind"`
	YAML string          `json:"yaml,omitempty"`
	JSON json.RawMessage `json:"json,omitempty"`
}

type result struct {
	ID    string `json:"id"`
	Error string `json:"error"`
}

// message returns an empty message of the Go type istiod decodes kind into.
func message(kind string) (proto.Message, error) {
	switch kind {
	case "MeshConfig":
		return &meshconfig.MeshConfig{}, nil
	case "Telemetry":
		// telemetry.istio.io/v1 Telemetry is an alias of the v1alpha1 type (telemetry/v1).
		return &telemetry.Telemetry{}, nil
	case "ServiceEntry":
		// networking.istio.io/v1 ServiceEntry is an alias of the v1alpha3 type (networking/v1).
		return &networking.ServiceEntry{}, nil
	}
	return nil, fmt.Errorf("unknown kind %q (known: MeshConfig, Telemetry, ServiceEntry)", kind)
}

// decode decodes one document strictly: YAML is converted to JSON as istiod does (sigs.k8s.io/yaml),
// then protojson without DiscardUnknown rejects any field the message does not have.
func decode(it item) error {
	msg, err := message(it.Kind)
	if err != nil {
		return err
	}
	js := []byte(it.JSON)
	if it.YAML != "" {
		if js, err = yaml.YAMLToJSON([]byte(it.YAML)); err != nil {
			return err
		}
	}
	if len(js) == 0 {
		return fmt.Errorf("empty document")
	}
	return protojson.UnmarshalOptions{DiscardUnknown: false}.Unmarshal(js, msg)
}

func apiVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range info.Deps {
			if dep.Path == "istio.io/api" {
				return dep.Version
			}
		}
	}
	return "unknown"
}

func main() {
	if len(os.Args) > 1 {
		if os.Args[1] == "version" {
			fmt.Println(apiVersion())
			return
		}
		fmt.Fprintln(os.Stderr, "usage: istio-decode version | istio-decode < items.json")
		os.Exit(2)
	}
	in, err := io.ReadAll(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var items []item
	if err := json.Unmarshal(in, &items); err != nil {
		fmt.Fprintln(os.Stderr, "input must be a JSON list of {id, kind, yaml | json}:", err)
		os.Exit(1)
	}
	out := make([]result, 0, len(items))
	for _, it := range items {
		r := result{ID: it.ID}
		if err := decode(it); err != nil {
			r.Error = err.Error()
		}
		out = append(out, r)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
