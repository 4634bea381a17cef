package main

import (
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/apiql/apiql/provider/emulator"
)

// TestSignalStopsMultiCallDelete sends SIGTERM, SIGHUP and SIGINT to apiql
// (in a process of its own) while the second call of a four-call DELETE is
// in flight: the call is cancelled, the rest are not sent, the report says
// what succeeded, what was interrupted and what was not sent, and the exit
// code is 128 + the signal's number.
func TestSignalStopsMultiCallDelete(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	for _, tc := range []struct {
		sig  syscall.Signal
		name string
		code int
	}{
		{syscall.SIGTERM, "SIGTERM", 143},
		{syscall.SIGHUP, "SIGHUP", 129},
		{syscall.SIGINT, "SIGINT", 130},
	} {
		t.Run(tc.name, func(t *testing.T) {
			emu := emulator.New(emulator.Options{Token: "tok"})
			ts := httptest.NewServer(emu)
			defer ts.Close()
			imgs := emu.Images()
			var ids []string
			for _, im := range imgs[:4] {
				ids = append(ids, fmt.Sprint(im.ID))
			}
			emu.SetFaults(emulator.Faults{Latency: 400 * time.Millisecond})
			cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "--", "exec",
				"DELETE FROM digitalocean.images.images WHERE image_id IN ("+strings.Join(ids, ", ")+")")
			cmd.Env = append(os.Environ(), helperEnv+"=1", "DIGITALOCEAN_API_URL="+ts.URL, "DIGITALOCEAN_TOKEN=tok", "DIGITALOCEAN_ACCESS_TOKEN=", "APIQL_REGISTRY=")
			var stdout, stderr strings.Builder
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			deletes := func() (n, answered int) {
				for _, r := range emu.Requests() {
					if r.Method == "DELETE" {
						n++
						if r.Status != 0 {
							answered++
						}
					}
				}
				return n, answered
			}
			deadline := time.Now().Add(10 * time.Second)
			for {
				if n, answered := deletes(); n >= 2 && answered >= 1 {
					break
				}
				if time.Now().After(deadline) {
					cmd.Process.Kill()
					cmd.Wait()
					t.Fatalf("the second DELETE was never sent:\n%s", stderr.String())
				}
				time.Sleep(10 * time.Millisecond)
			}
			if err := cmd.Process.Signal(tc.sig); err != nil {
				t.Fatal(err)
			}
			err := cmd.Wait()
			ee, ok := err.(*exec.ExitError)
			if !ok || ee.ExitCode() != tc.code {
				t.Fatalf("exit %v, want code %d\nstderr:\n%s", err, tc.code, stderr.String())
			}
			msg := stderr.String()
			for _, want := range []string{
				"cancelled by " + tc.name,
				"1 of 4 delete calls succeeded",
				"1 may or may not have acted",
				"image_id " + ids[1] + ": interrupted",
				"2 not sent: the statement was stopped (cancelled by " + tc.name,
				"succeeded: image_id " + ids[0],
			} {
				if !strings.Contains(msg, want) {
					t.Errorf("stderr lacks %q:\n%s", want, msg)
				}
			}
			if strings.Contains(msg, "context canceled") {
				t.Errorf("stderr speaks Go:\n%s", msg)
			}
			if n, _ := deletes(); n != 2 {
				t.Errorf("%d DELETE requests reached the API, want 2", n)
			}
		})
	}
}

// TestCtrlCReadExitsCancelled: Ctrl-C during a read says cancelled and
// exits 130.
func TestCtrlCReadExitsCancelled(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a process")
	}
	emu := emulator.New(emulator.Options{Token: "tok", Latency: 5 * time.Second})
	ts := httptest.NewServer(emu)
	defer ts.Close()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "--", "exec", "SELECT count(*) FROM digitalocean.images.images; SELECT 1")
	cmd.Env = append(os.Environ(), helperEnv+"=1", "DIGITALOCEAN_API_URL="+ts.URL, "DIGITALOCEAN_TOKEN=tok", "DIGITALOCEAN_ACCESS_TOKEN=", "APIQL_REGISTRY=")
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); len(emu.Requests()) == 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatal("no request was sent")
		}
	}
	cmd.Process.Signal(syscall.SIGINT)
	err := cmd.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 130 {
		t.Fatalf("exit %v, want 130\n%s", err, stderr.String())
	}
	if got := stderr.String(); !strings.Contains(got, "statement 1 cancelled by SIGINT (Ctrl-C); 1 more statement(s) not run") || strings.Contains(got, "context canceled") {
		t.Errorf("stderr:\n%s", got)
	}
}

// TestShellStoppedBySignal: SIGTERM ends a shell fed by a pipe while a
// DELETE runs (the report printed, the rest of the input not run, exit
// 143), and SIGHUP ends a terminal shell waiting at its prompt (exit 129).
func TestShellStoppedBySignal(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	t.Run("piped SIGTERM", func(t *testing.T) {
		emu := emulator.New(emulator.Options{Token: "tok"})
		ts := httptest.NewServer(emu)
		defer ts.Close()
		var ids []string
		for _, im := range emu.Images()[:3] {
			ids = append(ids, fmt.Sprint(im.ID))
		}
		emu.SetFaults(emulator.Faults{Latency: 400 * time.Millisecond})
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "--", "shell")
		cmd.Env = append(os.Environ(), helperEnv+"=1", "DIGITALOCEAN_API_URL="+ts.URL, "DIGITALOCEAN_TOKEN=tok", "DIGITALOCEAN_ACCESS_TOKEN=", "APIQL_REGISTRY=")
		cmd.Stdin = strings.NewReader("DELETE FROM digitalocean.images.images WHERE image_id IN (" + strings.Join(ids, ", ") + ");\nSELECT 'never' AS x;\n")
		var stdout, stderr strings.Builder
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
			n := 0
			for _, r := range emu.Requests() {
				if r.Method == "DELETE" && r.Status != 0 {
					n++
				}
			}
			if n >= 1 {
				break
			}
			if time.Now().After(deadline) {
				cmd.Process.Kill()
				cmd.Wait()
				t.Fatalf("no DELETE was answered:\n%s", stderr.String())
			}
		}
		time.Sleep(100 * time.Millisecond) // the second call is in flight
		cmd.Process.Signal(syscall.SIGTERM)
		err := cmd.Wait()
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 143 {
			t.Fatalf("exit %v, want 143\n%s", err, stderr.String())
		}
		for _, want := range []string{"cancelled by SIGTERM", "1 of 3 delete calls succeeded", "may or may not have acted", "1 not sent"} {
			if !strings.Contains(stderr.String(), want) {
				t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
			}
		}
		if strings.Contains(stdout.String(), "never") {
			t.Errorf("the input went on after SIGTERM:\n%s", stdout.String())
		}
	})
	t.Run("terminal SIGHUP", func(t *testing.T) {
		tm := startShell(t, t.TempDir(), nil, "--sandbox")
		tm.expect(prompt, 10*time.Second)
		tm.cmd.Process.Signal(syscall.SIGHUP)
		if code := tm.wait(5 * time.Second); code != 129 {
			t.Errorf("exit code %d, want 129", code)
		}
	})
}
