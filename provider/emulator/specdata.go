package emulator

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"sync"
)

//go:generate go run ./internal/specgen/gen -spec ../../registry/openapi/digitalocean/openapi.yaml -out specdata.jsonl

// specData is, for every /v2 operation of DigitalOcean's OpenAPI spec, its
// success status and an example response body; see internal/specgen.
//
//go:embed specdata.jsonl
var specData []byte

// specOp is one operation of specData.
type specOp struct {
	Op     string          `json:"op"`
	Status int             `json:"status"`
	Body   json.RawMessage `json:"body"`
}

// specIndex maps operation keys ("GET /v2/volumes/{}") to their lines of
// specData; built on first use, so a server that never serves a generic
// resource never reads it.
var specIndex = sync.OnceValue(func() map[string][]byte { return indexSpec(specData) })

// indexSpec maps the operation keys of spec data to their lines.
func indexSpec(data []byte) map[string][]byte {
	idx := map[string][]byte{}
	prefix := []byte(`{"op":"`)
	for rest := data; len(rest) > 0; {
		line := rest
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			line, rest = rest[:i], rest[i+1:]
		} else {
			rest = nil
		}
		if !bytes.HasPrefix(line, prefix) {
			continue
		}
		end := bytes.IndexByte(line[len(prefix):], '"')
		if end < 0 {
			continue
		}
		idx[string(line[len(prefix):len(prefix)+end])] = line
	}
	return idx
}

// lookupSpec returns the spec's operation with that key.
func lookupSpec(key string) (specOp, bool) {
	line, ok := specIndex()[key]
	if !ok {
		return specOp{}, false
	}
	var op specOp
	if err := json.Unmarshal(line, &op); err != nil {
		return specOp{}, false
	}
	return op, true
}

// decodeJSON decodes JSON into plain values with json.Number for numbers,
// so that values pass through unchanged.
func decodeJSON(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}
