package specgen_test

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"strings"
	"testing"

	"github.com/apiql/apiql/provider/emulator/internal/specgen"
)

// pinnedSpec is the project's copy of DigitalOcean's spec.
const pinnedSpec = "../../../../registry/openapi/digitalocean/openapi.yaml"

// TestCommittedDataIsGenerated: the emulator's embedded spec data is what
// the generator makes from the pinned spec (go generate ./provider/emulator
// rewrites it).
func TestCommittedDataIsGenerated(t *testing.T) {
	spec, err := os.ReadFile(pinnedSpec)
	if errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("%s is missing: the pinned spec the data is generated from", pinnedSpec)
	}
	if err != nil {
		t.Fatal(err)
	}
	want, err := specgen.Generate(spec)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("../../specdata.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("provider/emulator/specdata.jsonl differs from what the generator makes of the pinned spec: run go generate ./provider/emulator")
	}
}

// TestGenerate: examples are taken as the spec gives them (numbers keep
// their digits, timestamps stay strings), $refs are followed, the first
// example by name is taken, the success status is the lowest 2xx, a list whose example is empty gets an item made
// from its schema, and path parameters are written {}; an
// example of another shape than its schema is replaced by one made from it.
func TestGenerate(t *testing.T) {
	spec := `
openapi: 3.0.0
paths:
  /v2/things:
    get:
      responses:
        '200':
          $ref: '#/components/responses/things'
    post:
      responses:
        '202':
          content:
            application/json:
              examples:
                b: {value: {thing: {id: 2}}}
                a: {$ref: '#/components/examples/one'}
        '201':
          description: created
  /v2/things/{thing_id}:
    get:
      responses:
        '200':
          content:
            application/json:
              schema:
                properties:
                  thing: {type: object, properties: {id: {type: integer}}}
              example: {other: 1}
    put:
      responses:
        '200':
          content:
            application/json:
              examples:
                b: {value: {thing: {id: 2}}}
                a: {$ref: '#/components/examples/one'}
    delete:
      responses:
        '204': {description: gone}
  /other/x:
    get:
      responses:
        '200': {description: ignored}
components:
  examples:
    one: {value: {thing: {id: 1, price: 0.00743999984115362, at: 2020-07-21T18:37:44Z}}}
  responses:
    things:
      content:
        application/json:
          schema:
            allOf:
              - properties:
                  things: {type: array, items: {$ref: '#/components/schemas/thing'}}
          example: {things: []}
  schemas:
    thing:
      properties:
        id: {type: integer, example: 7}
        name: {type: string}
        created: {type: string, format: date-time}
        kind: {type: string, enum: [a, b]}
`
	out, err := specgen.Generate([]byte(spec))
	if err != nil {
		t.Fatal(err)
	}
	want := specgen.Header + "\n" +
		`{"op":"GET /v2/things","status":200,"body":{"things":[{"created":"2026-01-01T00:00:00Z","id":7,"kind":"a","name":"example"}]}}` + "\n" +
		`{"op":"POST /v2/things","status":201}` + "\n" +
		`{"op":"GET /v2/things/{}","status":200,"body":{"thing":{"id":1}}}` + "\n" +
		`{"op":"PUT /v2/things/{}","status":200,"body":{"thing":{"at":"2020-07-21T18:37:44Z","id":1,"price":0.00743999984115362}}}` + "\n" +
		`{"op":"DELETE /v2/things/{}","status":204}` + "\n"
	if string(out) != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
	if !strings.HasPrefix(string(out), "// Code generated") {
		t.Error("the first line does not say the file is generated")
	}
}
