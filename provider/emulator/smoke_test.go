package emulator_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/apiql/apiql/provider/emulator"
)

func TestSmoke(t *testing.T) {
	t0 := time.Now()
	emulator.New(emulator.Options{Images: 100000})
	fmt.Println("build", time.Since(t0))
	s := emulator.New(emulator.Options{})
	ts := httptest.NewServer(s)
	defer ts.Close()
	for _, p := range []string{"/v2/images?per_page=3", "/v2/images?private=true&per_page=2&page=2", "/v2/images/ubuntu-24-04-x64", "/v2/regions?per_page=2", "/v2/snapshots?per_page=3&page=2", "/v2/droplets?per_page=2", "/v2/nope"} {
		req, _ := http.NewRequest("GET", ts.URL+p, nil)
		req.Header.Set("Authorization", "Bearer sandbox")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			panic(err)
		}
		b, _ := io.ReadAll(resp.Body)
		fmt.Println(p, resp.Status, resp.Header)
		fmt.Println(string(b))
	}
}
