package emulator

import "net/http"

// Size is the API's size object, as GET /v2/sizes returns it and as a
// Droplet's size shows it.
type Size struct {
	Slug string `json:"slug"`
	// Memory is in megabytes.
	Memory int `json:"memory"`
	VCPUs  int `json:"vcpus"`
	// Disk is in gigabytes.
	Disk int `json:"disk"`
	// Transfer is the monthly transfer allowance in terabytes.
	Transfer float64 `json:"transfer"`
	// PriceMonthly and PriceHourly are in US dollars.
	PriceMonthly float64    `json:"price_monthly"`
	PriceHourly  float64    `json:"price_hourly"`
	Regions      []string   `json:"regions"`
	Available    bool       `json:"available"`
	Description  string     `json:"description"`
	DiskInfo     []DiskInfo `json:"disk_info"`
}

// DiskInfo is one disk of a size or a Droplet.
type DiskInfo struct {
	Type string   `json:"type"`
	Size DiskSize `json:"size"`
}

// DiskSize is a disk's size with its unit.
type DiskSize struct {
	Amount int    `json:"amount"`
	Unit   string `json:"unit"`
}

// sizeTable is the sizes the emulator serves, with DigitalOcean's published
// prices (https://www.digitalocean.com/pricing/droplets); every slug of
// sizesAvailable is here, in the same order.
var sizeTable = func() []Size {
	type row struct {
		slug          string
		memory, vcpus int
		disk          int
		transfer      float64
		monthly       float64
		description   string
	}
	rows := []row{
		{"s-1vcpu-512mb-10gb", 512, 1, 10, 0.5, 4, "Basic"},
		{"s-1vcpu-1gb", 1024, 1, 25, 1, 6, "Basic"},
		{"s-1vcpu-2gb", 2048, 1, 50, 2, 12, "Basic"},
		{"s-2vcpu-2gb", 2048, 2, 60, 3, 18, "Basic"},
		{"s-2vcpu-4gb", 4096, 2, 80, 4, 24, "Basic"},
		{"s-4vcpu-8gb", 8192, 4, 160, 5, 48, "Basic"},
		{"s-8vcpu-16gb", 16384, 8, 320, 6, 96, "Basic"},
		{"c-2", 4096, 2, 25, 4, 42, "CPU-Optimized"},
		{"c-4", 8192, 4, 50, 5, 84, "CPU-Optimized"},
		{"g-2vcpu-8gb", 8192, 2, 25, 4, 63, "General Purpose"},
		{"m-2vcpu-16gb", 16384, 2, 50, 4, 84, "Memory-Optimized"},
	}
	out := make([]Size, len(rows))
	for i, r := range rows {
		out[i] = Size{
			Slug: r.slug, Memory: r.memory, VCPUs: r.vcpus, Disk: r.disk, Transfer: r.transfer,
			PriceMonthly: r.monthly,
			// DigitalOcean bills 672 hours a month at most.
			PriceHourly: float64(int64(r.monthly/672*1e5+0.5)) / 1e5,
			Regions:     availableRegionSlugs, Available: true, Description: r.description,
			DiskInfo: []DiskInfo{{Type: "local", Size: DiskSize{Amount: r.disk, Unit: "gib"}}},
		}
	}
	return out
}()

// lookupSize returns the size with that slug.
func lookupSize(slug string) (Size, bool) {
	for _, s := range sizeTable {
		if s.Slug == slug {
			return s, true
		}
	}
	return Size{}, false
}

// listSizes answers GET /v2/sizes.
func (s *Server) listSizes(r *http.Request) reply {
	q := r.URL.Query()
	pg := newPager(q)
	total := len(sizeTable)
	lo, hi := pg.window(total)
	page := append([]Size{}, sizeTable[lo:hi]...)
	return listReply("sizes", page, pg.links(r, filterValues(q), total), total)
}
