package main

// .Capabilities as `helm template` (client-only) fills it: a fixed Kubernetes version unless
// --kube-version is given, and the API versions built into Helm plus --api-versions.

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Helm v3.21 is built against client-go v0.36, so its default kube version is v1.36.0.
const (
	defaultKubeMajor = "1"
	defaultKubeMinor = "36"
	helmVersion      = "v3.21.4" // the Helm release whose behaviour helm-render follows
)

// defaultAPIVersions are the group/versions that client-go v0.36's scheme registers (plus
// apiextensions v1 and v1beta1, which Helm adds): what .Capabilities.APIVersions.Has answers
// true for without --api-versions. Helm adds no kinds ("apps/v1/Deployment") when offline.
var defaultAPIVersions = []string{
	"v1",
	"admissionregistration.k8s.io/v1", "admissionregistration.k8s.io/v1alpha1", "admissionregistration.k8s.io/v1beta1",
	"internal.apiserver.k8s.io/v1alpha1",
	"apps/v1", "apps/v1beta1", "apps/v1beta2",
	"authentication.k8s.io/v1", "authentication.k8s.io/v1alpha1", "authentication.k8s.io/v1beta1",
	"authorization.k8s.io/v1", "authorization.k8s.io/v1beta1",
	"autoscaling/v1", "autoscaling/v2",
	"batch/v1", "batch/v1beta1",
	"certificates.k8s.io/v1", "certificates.k8s.io/v1alpha1", "certificates.k8s.io/v1beta1",
	"coordination.k8s.io/v1", "coordination.k8s.io/v1alpha2", "coordination.k8s.io/v1beta1",
	"discovery.k8s.io/v1", "discovery.k8s.io/v1beta1",
	"events.k8s.io/v1", "events.k8s.io/v1beta1",
	"extensions/v1beta1",
	"flowcontrol.apiserver.k8s.io/v1", "flowcontrol.apiserver.k8s.io/v1beta1", "flowcontrol.apiserver.k8s.io/v1beta2", "flowcontrol.apiserver.k8s.io/v1beta3",
	"networking.k8s.io/v1", "networking.k8s.io/v1beta1",
	"node.k8s.io/v1", "node.k8s.io/v1alpha1", "node.k8s.io/v1beta1",
	"policy/v1", "policy/v1beta1",
	"rbac.authorization.k8s.io/v1", "rbac.authorization.k8s.io/v1alpha1", "rbac.authorization.k8s.io/v1beta1",
	"resource.k8s.io/v1", "resource.k8s.io/v1alpha3", "resource.k8s.io/v1beta1", "resource.k8s.io/v1beta2",
	"scheduling.k8s.io/v1", "scheduling.k8s.io/v1alpha2", "scheduling.k8s.io/v1beta1",
	"storage.k8s.io/v1", "storage.k8s.io/v1alpha1", "storage.k8s.io/v1beta1",
	"storagemigration.k8s.io/v1beta1",
	"apiextensions.k8s.io/v1", "apiextensions.k8s.io/v1beta1",
}

type Capabilities struct {
	KubeVersion KubeVersion
	APIVersions VersionSet
	HelmVersion BuildInfo
}

type KubeVersion struct {
	Version string // "v1.29.0"
	Major   string // "1"
	Minor   string // "29"
}

func (kv *KubeVersion) String() string { return kv.Version }

// GitVersion is what charts written for Helm 2 call; Helm 3 keeps it as an alias.
func (kv *KubeVersion) GitVersion() string { return kv.Version }

type VersionSet []string

// Has reports whether the exact group/version (or group/version/kind) string is listed.
func (v VersionSet) Has(apiVersion string) bool {
	for _, x := range v {
		if x == apiVersion {
			return true
		}
	}
	return false
}

type BuildInfo struct {
	Version      string `json:"version,omitempty"`
	GitCommit    string `json:"git_commit,omitempty"`
	GitTreeState string `json:"git_tree_state,omitempty"`
	GoVersion    string `json:"go_version,omitempty"`
}

func newCapabilities(kubeVersion string, extraAPIs []string) (*Capabilities, error) {
	kv := KubeVersion{
		Version: fmt.Sprintf("v%s.%s.0", defaultKubeMajor, defaultKubeMinor),
		Major:   defaultKubeMajor,
		Minor:   defaultKubeMinor,
	}
	if kubeVersion != "" {
		parsed, err := parseKubeVersion(kubeVersion)
		if err != nil {
			return nil, fmt.Errorf("invalid kube version '%s': %s", kubeVersion, err)
		}
		kv = *parsed
	}
	apis := append(VersionSet{}, defaultAPIVersions...)
	apis = append(apis, extraAPIs...)
	return &Capabilities{KubeVersion: kv, APIVersions: apis, HelmVersion: BuildInfo{Version: helmVersion}}, nil
}

var kubeVersionRE = regexp.MustCompile(`^\s*v?([0-9]+(?:\.[0-9]+)*)(.*)*$`)

// parseKubeVersion follows Kubernetes' ParseGeneric, which Helm uses: at least two numeric
// components, an optional "v", and anything after the numbers ("-gke.1") dropped.
func parseKubeVersion(s string) (*KubeVersion, error) {
	m := kubeVersionRE.FindStringSubmatch(s)
	if m == nil {
		return nil, fmt.Errorf("could not parse %q as version", s)
	}
	parts := strings.Split(m[1], ".")
	if len(parts) < 2 {
		return nil, fmt.Errorf("illegal version string %q", s)
	}
	nums := make([]string, len(parts))
	for i, p := range parts {
		if i == 0 && strings.HasPrefix(p, "0") && p != "0" {
			return nil, fmt.Errorf("illegal zero-prefixed version component %q in %q", p, s)
		}
		n, err := strconv.ParseUint(p, 10, 0)
		if err != nil {
			return nil, fmt.Errorf("illegal version string %q: %v", s, err)
		}
		nums[i] = strconv.FormatUint(n, 10)
	}
	return &KubeVersion{Version: "v" + strings.Join(nums, "."), Major: nums[0], Minor: nums[1]}, nil
}
