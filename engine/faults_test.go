package engine_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apiql/apiql/engine"
	"github.com/apiql/apiql/provider"
	"github.com/apiql/apiql/provider/emulator"
)

// The emulator's fault injection drives these: each asserts that the
// result is complete and right, or that the statement failed with the
// right message, and that the requests sent are what the policy allows.

const countAll = "SELECT count(*), count(DISTINCT id), sum(id) FROM digitalocean.images.images"

// wantCount is countAll's answer over the emulator's images.
func wantCount(e *env) []any {
	var sum int64
	for _, im := range e.emu.Images() {
		sum += int64(im.ID)
	}
	n := int64(len(e.emu.Images()))
	return []any{n, n, sum}
}

func sameRow(got, want []any) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i] != want[i] {
			return false
		}
	}
	return true
}

func TestFaultsRetriedToACompleteResult(t *testing.T) {
	tests := []struct {
		name   string
		faults emulator.Faults
		// extra is the number of failed requests the faults cause among
		// the first pages+extra requests.
		extra int
	}{
		{"429 every 3rd request", emulator.Faults{RateLimitEvery: 3}, 2},
		{"500 every 4th request", emulator.Faults{ServerErrorEvery: 4}, 1},
		{"cut body every 3rd response", emulator.Faults{CutBodyEvery: 3}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// 1000 images: 5 pages. Concurrency 1 keeps the request count exact.
			e := newEnv(t, 1000, func(o *engine.Options) {
				o.Client.Retry = provider.RetryPolicy{Retries: 4}
				o.Client.Concurrency = 1
			})
			e.emu.SetFaults(tt.faults)
			o := e.exec(t, countAll)
			if o.Err != nil {
				t.Fatal(o.Err)
			}
			if got, want := o.Result.Rows[0], wantCount(e); !sameRow(got, want) {
				t.Errorf("got %v, want %v", got, want)
			}
			if got, want := len(e.emu.Requests()), 5+tt.extra; got != want {
				t.Errorf("%d requests, want %d (5 pages and %d retries)", got, want, tt.extra)
			}
		})
	}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	e := newEnv(t, 300, func(o *engine.Options) {
		o.Client.Retry = provider.RetryPolicy{Retries: 2}
	})
	e.emu.SetFaults(emulator.Faults{RateLimitEvery: 2, RetryAfter: 1})
	start := time.Now()
	o := e.exec(t, countAll)
	if o.Err != nil {
		t.Fatal(o.Err)
	}
	if d := time.Since(start); d < time.Second {
		t.Errorf("the 429 with retry-after: 1 was retried after %v", d)
	}
	if got, want := o.Result.Rows[0], wantCount(e); !sameRow(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestPersistentFailureFailsTheStatement(t *testing.T) {
	e := newEnv(t, 1000, func(o *engine.Options) {
		o.Client.Retry = provider.RetryPolicy{Retries: 2}
		o.Client.Concurrency = 1
	})
	// Page 1 answers; every later request fails.
	var once sync.Once
	e.sess.Close()
	e.sess = reopen(t, e, func(o *engine.Options) {
		o.Client.Retry = provider.RetryPolicy{Retries: 2}
		o.Client.Concurrency = 1
		o.Progress = func(engine.ProgressEvent) {
			once.Do(func() { e.emu.SetFaults(emulator.Faults{ServerErrorEvery: 1}) })
		}
	})
	o := e.exec(t, countAll)
	if o.Err == nil {
		t.Fatalf("got rows %v, want an error", o.Result.Rows)
	}
	if o.Result != nil {
		t.Errorf("a failed statement returned a result: %v", o.Result.Rows)
	}
	msg := o.Err.Error()
	for _, want := range []string{"GET /v2/images", "page 2", "500", "server_error", "Unexpected server-side error", "after 3 attempts"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not say %q", msg, want)
		}
	}
	if got, want := len(e.emu.Requests()), 1+3; got != want {
		t.Errorf("%d requests, want %d (page 1, then page 2 three times)", got, want)
	}
}

func TestTokenRevokedMidRun(t *testing.T) {
	e := newEnv(t, 1000, nil)
	var once sync.Once
	e.sess.Close()
	e.sess = reopen(t, e, func(o *engine.Options) {
		o.Client.Concurrency = 1
		o.Progress = func(engine.ProgressEvent) { once.Do(func() { e.emu.SetToken("rotated") }) }
	})
	o := e.exec(t, countAll)
	if o.Err == nil || !strings.Contains(o.Err.Error(), "401 unauthorized") {
		t.Fatalf("got %v, want a 401", o.Err)
	}
	if strings.Contains(o.Err.Error(), "test-token") {
		t.Errorf("the error shows the token: %v", o.Err)
	}
	// 401 is not retried.
	if got, want := len(e.emu.Requests()), 2; got != want {
		t.Errorf("%d requests, want %d", got, want)
	}
}

func TestCutBodyWithoutRetriesNamesMethodAndURL(t *testing.T) {
	e := newEnv(t, 100, nil)
	e.sess.Close()
	e.sess = reopen(t, e, func(o *engine.Options) { o.Client.Retry = provider.RetryPolicy{} })
	e.emu.SetFaults(emulator.Faults{CutBodyEvery: 1})
	o := e.exec(t, countAll)
	if o.Err == nil {
		t.Fatal("a cut body gave a result")
	}
	for _, want := range []string{"GET /v2/images", "malformed JSON"} {
		if !strings.Contains(o.Err.Error(), want) {
			t.Errorf("error %q does not say %q", o.Err, want)
		}
	}
}

// reopen opens a new session on e's emulator with adjusted options.
func reopen(t *testing.T, e *env, adjust func(*engine.Options)) *engine.Session {
	t.Helper()
	ne := newEnvOn(t, e, adjust)
	return ne
}
