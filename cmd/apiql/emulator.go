package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"github.com/apiql/apiql/provider/emulator"
)

const emulatorUsage = `Usage: apiql emulator [flags]

Serves the built-in DigitalOcean API emulator until interrupted, so any
DigitalOcean client can be pointed at it: every resource of the registry,
images, regions, snapshots, droplets and sizes with hand-made behaviour, the
rest from the API spec's examples.

Examples:
  apiql emulator --addr 127.0.0.1:8089 --images 1000
  DIGITALOCEAN_API_URL=http://127.0.0.1:8089 DIGITALOCEAN_TOKEN=sandbox \
    apiql exec "SELECT count(*) FROM digitalocean.images.images"
  curl -H "Authorization: Bearer sandbox" http://127.0.0.1:8089/v2/images?per_page=5
  doctl --api-url http://127.0.0.1:8089 -t sandbox compute image list

Flags:
`

// runEmulator is `apiql emulator`.
func runEmulator(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("emulator", flag.ContinueOnError)
	fs.SetOutput(helpOutput(args, stdout, stderr))
	addr := fs.String("addr", "127.0.0.1:8089", "listen on `ADDR`")
	images := fs.Int("images", 60, "number of images in the sample data")
	seed := fs.Int64("seed", 0, "sample data seed")
	latency := fs.Duration("latency", 0, "added latency per request, e.g. 20ms")
	token := fs.String("token", "sandbox", "the bearer token accepted")
	rateLimit := fs.Int("rate-limit", 5000, "the ratelimit-limit reported; ratelimit-remaining counts down from it")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), emulatorUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	switch {
	case *images < 1:
		fmt.Fprintf(stderr, "apiql emulator: --images must be at least 1; got %d\n", *images)
		return 2
	case *latency < 0:
		fmt.Fprintf(stderr, "apiql emulator: --latency must be 0 or more; got %v\n", *latency)
		return 2
	case *rateLimit < 1:
		fmt.Fprintf(stderr, "apiql emulator: --rate-limit must be at least 1; got %d\n", *rateLimit)
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "apiql emulator: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	opts := emulator.Options{Images: *images, Seed: *seed, Latency: *latency, Token: *token, Now: time.Now().UTC(), RateLimit: *rateLimit, NoRequestLog: true}
	err := emulator.ListenAndServe(ctx, *addr, opts, func(url string) {
		tok := "the token given with --token"
		if *token == "sandbox" {
			tok = `"sandbox"`
		}
		fmt.Fprintf(stdout, "emulator serving %d images at %s (accepting %s)\n", *images, url, tok)
	})
	if err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintf(stderr, "apiql emulator: %v\n", err)
		return 1
	}
	return 0
}
