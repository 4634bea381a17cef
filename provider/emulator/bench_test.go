package emulator_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/apiql/apiql/provider/emulator"
)

// BenchmarkListAllImages100k lists 100,000 images, per_page=200 (500 pages),
// through HTTP, following the next links as godo does.
func BenchmarkListAllImages100k(b *testing.B) {
	ts := httptest.NewServer(emulator.New(emulator.Options{Images: 100000}))
	defer ts.Close()
	client := ts.Client()
	b.ResetTimer()
	for b.Loop() {
		n, pages := 0, 0
		for next := ts.URL + "/v2/images?per_page=200"; next != ""; pages++ {
			var page struct {
				Images []json.RawMessage `json:"images"`
				Links  struct {
					Pages struct {
						Next string `json:"next"`
					} `json:"pages"`
				} `json:"links"`
			}
			get(b, client, next, &page)
			n += len(page.Images)
			next = page.Links.Pages.Next
		}
		if n != 100000 || pages != 500 {
			b.Fatalf("listed %d images in %d pages", n, pages)
		}
	}
}

// BenchmarkListImagesPage serves one page from the middle of 100,000 images.
func BenchmarkListImagesPage(b *testing.B) {
	for _, query := range []string{"per_page=200&page=250", "per_page=200&page=250&private=true"} {
		b.Run(query, func(b *testing.B) {
			ts := httptest.NewServer(emulator.New(emulator.Options{Images: 100000}))
			defer ts.Close()
			client := ts.Client()
			b.ResetTimer()
			for b.Loop() {
				get(b, client, ts.URL+"/v2/images?"+query, nil)
			}
		})
	}
}

// BenchmarkNew100k builds the 100,000-image dataset.
func BenchmarkNew100k(b *testing.B) {
	for b.Loop() {
		emulator.New(emulator.Options{Images: 100000})
	}
}

func get(b *testing.B, client *http.Client, url string, v any) {
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Authorization", "Bearer sandbox")
	resp, err := client.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b.Fatalf("GET %s: %s", url, resp.Status)
	}
	if v == nil {
		_, err = io.Copy(io.Discard, resp.Body)
	} else {
		err = json.NewDecoder(resp.Body).Decode(v)
	}
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkNewSandbox builds the sandbox's dataset (60 images and the
// account around them), as every apiql --sandbox start does.
func BenchmarkNewSandbox(b *testing.B) {
	for b.Loop() {
		emulator.New(emulator.Options{Images: 60})
	}
}
