package main

import "testing"

func TestParseKubeVersion(t *testing.T) {
	cases := map[string]string{
		"1.29.0":           "v1.29.0 1 29",
		"v1.30.2":          "v1.30.2 1 30",
		"1.28":             "v1.28 1 28",
		"v1.27.3-gke.1200": "v1.27.3 1 27",
	}
	for in, want := range cases {
		kv, err := parseKubeVersion(in)
		if err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		if got := kv.Version + " " + kv.Major + " " + kv.Minor; got != want {
			t.Errorf("%s: got %q want %q", in, got, want)
		}
	}
	for _, bad := range []string{"", "1", "latest", "01.2"} {
		if _, err := parseKubeVersion(bad); err == nil {
			t.Errorf("%q: expected an error", bad)
		}
	}
}

func TestCapabilitiesAPIVersions(t *testing.T) {
	caps, err := newCapabilities("", []string{"monitoring.coreos.com/v1"})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"v1", "apps/v1", "batch/v1", "policy/v1", "networking.k8s.io/v1", "autoscaling/v2", "apiextensions.k8s.io/v1", "monitoring.coreos.com/v1"} {
		if !caps.APIVersions.Has(v) {
			t.Errorf("Has(%q) = false", v)
		}
	}
	if caps.APIVersions.Has("apps/v1/Deployment") || caps.APIVersions.Has("cert-manager.io/v1") {
		t.Error("offline capabilities list no kinds and no third-party groups")
	}
	if caps.KubeVersion.Version != "v1.36.0" {
		t.Errorf("default kube version %q", caps.KubeVersion.Version)
	}
}
