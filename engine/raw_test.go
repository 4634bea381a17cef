package engine_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"github.com/apiql/apiql/engine"
)

// TestSelectRawBody: a GET whose success body is not JSON (an invoice's
// CSV and PDF, a cluster's kubeconfig) answers one row: the body in
// content (text as is, a PDF's bytes base64-encoded) and its Content-Type,
// to a SELECT and to an EXEC of the method alike.
func TestSelectRawBody(t *testing.T) {
	e := newEnv(t, 5, nil)
	const cluster = "bd5f5959-5e1e-4205-a714-a914373942af" // the emulator's cluster
	// The invoice is one of the emulator's (the spec's list example): the
	// emulator answers 404 for a file of an invoice it does not list.
	tests := []struct {
		sql, exec, contentType, path string
		check                        func(content []byte) error
		base64                       bool
	}{
		{
			sql:         "SELECT content, content_type FROM digitalocean.customers.csv WHERE invoice_uuid = '22737513-0ea7-4206-8ceb-98a575af7681'",
			exec:        "EXEC digitalocean.customers.csv.get_csv_by_uuid @invoice_uuid = '22737513-0ea7-4206-8ceb-98a575af7681'",
			contentType: "text/csv", path: "/v2/customers/my/invoices/22737513-0ea7-4206-8ceb-98a575af7681/csv",
			check: func(c []byte) error {
				lines := strings.Split(strings.TrimSuffix(string(c), "\n"), "\n")
				if len(lines) != 3 || !strings.HasPrefix(lines[0], "product,group_description,description,hours,") {
					return fmt.Errorf("want a header and two rows of the spec's columns, got %q", c)
				}
				return nil
			},
		},
		{
			sql:         "SELECT content, content_type FROM digitalocean.customers.pdf WHERE invoice_uuid = '22737513-0ea7-4206-8ceb-98a575af7681'",
			exec:        "EXEC digitalocean.customers.pdf.get_pdf_by_uuid @invoice_uuid = '22737513-0ea7-4206-8ceb-98a575af7681'",
			contentType: "application/pdf", path: "/v2/customers/my/invoices/22737513-0ea7-4206-8ceb-98a575af7681/pdf", base64: true,
			check: func(c []byte) error {
				if !strings.HasPrefix(string(c), "%PDF-") || !strings.Contains(string(c), "\xe2\xe3\xcf\xd3") ||
					!strings.Contains(string(c), "invoice 22737513-0ea7-4206-8ceb-98a575af7681") || !strings.HasSuffix(string(c), "%%EOF\n") {
					return fmt.Errorf("want the PDF's bytes unchanged, got %q", c)
				}
				return nil
			},
		},
		{
			sql:         "SELECT content, content_type FROM digitalocean.kubernetes.kubeconfig WHERE cluster_id = '" + cluster + "'",
			exec:        "EXEC digitalocean.kubernetes.kubeconfig.get @cluster_id = '" + cluster + "'",
			contentType: "application/yaml", path: "/v2/kubernetes/clusters/" + cluster + "/kubeconfig",
			check: func(c []byte) error {
				if !strings.HasPrefix(string(c), "apiVersion: v1\n") || !strings.Contains(string(c), "kind: Config\n") ||
					!strings.Contains(string(c), "server: https://"+cluster+".k8s.ondigitalocean.com\n") {
					return fmt.Errorf("want the cluster's kubeconfig YAML, got %q", c)
				}
				return nil
			},
		},
	}
	for _, tt := range tests {
		for _, src := range []string{tt.sql, tt.exec} {
			t.Run(tt.contentType+"/"+strings.Fields(src)[0], func(t *testing.T) {
				e.emu.ResetRequests()
				var res *engine.Result
				err := e.sess.Run(context.Background(), src, func(o engine.Outcome) bool {
					if o.Err != nil {
						t.Fatalf("%s: %v", src, o.Err)
					}
					res = o.Result
					return true
				})
				if err != nil || res == nil {
					t.Fatalf("%s: err=%v, result %v", src, err, res)
				}
				var cols []string
				for _, c := range res.Columns {
					cols = append(cols, c.Name+":"+c.Type)
				}
				if got := strings.Join(cols, " "); got != "content:string content_type:string" {
					t.Errorf("columns %q, want content:string content_type:string", got)
				}
				if len(res.Rows) != 1 {
					t.Fatalf("%d rows, want 1: %v", len(res.Rows), res.Rows)
				}
				content, ok := res.Rows[0][0].(string)
				if !ok {
					t.Fatalf("content is %T, want text", res.Rows[0][0])
				}
				body := []byte(content)
				if tt.base64 {
					if body, err = base64.StdEncoding.DecodeString(content); err != nil {
						t.Fatalf("content is not base64: %v", err)
					}
				}
				if err := tt.check(body); err != nil {
					t.Error(err)
				}
				if got := fmt.Sprint(res.Rows[0][1]); got != tt.contentType {
					t.Errorf("content_type=%q, want %q", got, tt.contentType)
				}
				reqs := e.emu.Requests()
				if len(reqs) != 1 || reqs[0].Method != "GET" || reqs[0].Path != tt.path || reqs[0].Status != 200 {
					t.Errorf("requests=%+v, want one GET %s answered 200", reqs, tt.path)
				}
			})
		}
	}
}
