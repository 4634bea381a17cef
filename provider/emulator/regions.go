package emulator

var (
	featuresAvailable   = []string{"backups", "ipv6", "metadata", "install_agent", "storage", "image_transfer"}
	featuresUnavailable = []string{"backups", "ipv6", "metadata", "install_agent"}
	sizesAvailable      = []string{
		"s-1vcpu-512mb-10gb", "s-1vcpu-1gb", "s-1vcpu-2gb", "s-2vcpu-2gb", "s-2vcpu-4gb",
		"s-4vcpu-8gb", "s-8vcpu-16gb", "c-2", "c-4", "g-2vcpu-8gb", "m-2vcpu-16gb",
	}
)

// regionTable is the fixed set of regions the emulator serves, in the order
// the API lists them. nyc2, sfo1 and ams2 are closed to new resources.
var regionTable = []Region{
	region("New York 1", "nyc1", true),
	region("New York 2", "nyc2", false),
	region("New York 3", "nyc3", true),
	region("San Francisco 1", "sfo1", false),
	region("San Francisco 2", "sfo2", true),
	region("San Francisco 3", "sfo3", true),
	region("Amsterdam 2", "ams2", false),
	region("Amsterdam 3", "ams3", true),
	region("Singapore 1", "sgp1", true),
	region("London 1", "lon1", true),
	region("Frankfurt 1", "fra1", true),
	region("Toronto 1", "tor1", true),
	region("Bangalore 1", "blr1", true),
	region("Sydney 1", "syd1", true),
}

func region(name, slug string, available bool) Region {
	if available {
		return Region{Name: name, Slug: slug, Features: featuresAvailable, Available: true, Sizes: sizesAvailable}
	}
	return Region{Name: name, Slug: slug, Features: featuresUnavailable, Available: false, Sizes: []string{}}
}

// availableRegionSlugs and unavailableRegionSlugs partition regionTable.
var availableRegionSlugs, unavailableRegionSlugs = func() (a, u []string) {
	for _, r := range regionTable {
		if r.Available {
			a = append(a, r.Slug)
		} else {
			u = append(u, r.Slug)
		}
	}
	return a, u
}()

// lookupRegion returns the region with that slug.
func lookupRegion(slug string) (Region, bool) {
	for _, r := range regionTable {
		if r.Slug == slug {
			return r, true
		}
	}
	return Region{}, false
}

// distributions are the values the API keeps in an image's distribution;
// anything else becomes Unknown.
var distributions = []string{
	"Arch Linux", "CentOS", "CoreOS", "Debian", "Fedora", "Fedora Atomic", "FreeBSD",
	"Gentoo", "openSUSE", "RancherOS", "Rocky Linux", "Ubuntu", "Unknown",
}

// normalizeDistribution returns d when it is exactly one of the valid
// distribution names, and "Unknown" otherwise.
func normalizeDistribution(d string) string {
	for _, v := range distributions {
		if v == d {
			return d
		}
	}
	return "Unknown"
}
