// Package template holds the template functions of Prometheus 2.42's template/template.go, copied (stdlib regexp in
// place of grafana/regexp, its fork), in a package of the same name so that error messages name the same types.
package template

import (
	"errors"
	"fmt"
	html_template "html/template"
	"math"
	"net"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	text_template "text/template"
	"time"
)

type sample struct {
	Labels map[string]string
	Value  float64
}
type queryResult []*sample

// Queries are the fixed results of the query function, by query.
type Queries map[string][]struct {
	Labels map[string]string `json:"labels"`
	Value  float64           `json:"value"`
}

var errNaNOrInf = errors.New("value is NaN or Inf")

func convertToFloat(i interface{}) (float64, error) {
	switch v := i.(type) {
	case float64:
		return v, nil
	case string:
		return strconv.ParseFloat(v, 64)
	case int:
		return float64(v), nil
	case uint:
		return float64(v), nil
	case int64:
		return float64(v), nil
	case uint64:
		return float64(v), nil
	default:
		return 0, fmt.Errorf("can't convert %T to float", v)
	}
}

var durationRE = regexp.MustCompile("^(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?$")

func parseDuration(durationStr string) (time.Duration, error) {
	switch durationStr {
	case "0":
		return 0, nil
	case "":
		return 0, errors.New("empty duration string")
	}
	matches := durationRE.FindStringSubmatch(durationStr)
	if matches == nil {
		return 0, fmt.Errorf("not a valid duration string: %q", durationStr)
	}
	var dur time.Duration
	var overflowErr error
	m := func(pos int, mult time.Duration) {
		if matches[pos] == "" {
			return
		}
		n, _ := strconv.Atoi(matches[pos])
		if n > int((1<<63-1)/mult/time.Millisecond) {
			overflowErr = errors.New("duration out of range")
		}
		d := time.Duration(n) * time.Millisecond
		dur += d * mult
		if dur < 0 {
			overflowErr = errors.New("duration out of range")
		}
	}
	m(2, 1000*60*60*24*365)
	m(4, 1000*60*60*24*7)
	m(6, 1000*60*60*24)
	m(8, 1000*60*60)
	m(10, 1000*60)
	m(12, 1000)
	m(14, 1)
	return dur, overflowErr
}

func floatToTime(v float64) (*time.Time, error) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil, errNaNOrInf
	}
	timestamp := v * 1e9
	if timestamp > math.MaxInt64 || timestamp < math.MinInt64 {
		return nil, fmt.Errorf("%v cannot be represented as a nanoseconds timestamp since it overflows int64", v)
	}
	ms := int64(timestamp) / 1e6
	t := time.Unix(ms/1000, (ms%1000)*1e6).UTC()
	return &t, nil
}

// Funcs is the FuncMap of Prometheus 2.42's NewTemplateExpander; query answers from queries.
func Funcs(queries Queries, externalURL *url.URL) text_template.FuncMap {
	return text_template.FuncMap{
		"query": func(q string) (queryResult, error) {
			r, ok := queries[q]
			if !ok {
				return nil, fmt.Errorf("no such query %q", q)
			}
			res := queryResult{}
			for _, s := range r {
				res = append(res, &sample{Labels: s.Labels, Value: s.Value})
			}
			return res, nil
		},
		"first": func(v queryResult) (*sample, error) {
			if len(v) > 0 {
				return v[0], nil
			}
			return nil, errors.New("first() called on vector with no elements")
		},
		"label":    func(label string, s *sample) string { return s.Labels[label] },
		"value":    func(s *sample) float64 { return s.Value },
		"strvalue": func(s *sample) string { return s.Labels["__value__"] },
		"args": func(args ...interface{}) map[string]interface{} {
			result := make(map[string]interface{})
			for i, a := range args {
				result[fmt.Sprintf("arg%d", i)] = a
			}
			return result
		},
		"reReplaceAll": func(pattern, repl, text string) string {
			re := regexp.MustCompile(pattern)
			return re.ReplaceAllString(text, repl)
		},
		"safeHtml":  func(text string) html_template.HTML { return html_template.HTML(text) },
		"match":     regexp.MatchString,
		"title":     strings.Title,
		"toUpper":   strings.ToUpper,
		"toLower":   strings.ToLower,
		"graphLink": func(expr string) string { return fmt.Sprintf("/graph?g0.expr=%s&g0.tab=0", url.QueryEscape(expr)) },
		"tableLink": func(expr string) string { return fmt.Sprintf("/graph?g0.expr=%s&g0.tab=1", url.QueryEscape(expr)) },
		"sortByLabel": func(label string, v queryResult) queryResult {
			sort.SliceStable(v, func(i, j int) bool { return v[i].Labels[label] < v[j].Labels[label] })
			return v
		},
		"stripPort": func(hostPort string) string {
			host, _, err := net.SplitHostPort(hostPort)
			if err != nil {
				return hostPort
			}
			return host
		},
		"stripDomain": func(hostPort string) string {
			host, port, err := net.SplitHostPort(hostPort)
			if err != nil {
				host = hostPort
			}
			ip := net.ParseIP(host)
			if ip != nil {
				return hostPort
			}
			host = strings.Split(host, ".")[0]
			if port != "" {
				return net.JoinHostPort(host, port)
			}
			return host
		},
		"humanize": func(i interface{}) (string, error) {
			v, err := convertToFloat(i)
			if err != nil {
				return "", err
			}
			if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Sprintf("%.4g", v), nil
			}
			if math.Abs(v) >= 1 {
				prefix := ""
				for _, p := range []string{"k", "M", "G", "T", "P", "E", "Z", "Y"} {
					if math.Abs(v) < 1000 {
						break
					}
					prefix = p
					v /= 1000
				}
				return fmt.Sprintf("%.4g%s", v, prefix), nil
			}
			prefix := ""
			for _, p := range []string{"m", "u", "n", "p", "f", "a", "z", "y"} {
				if math.Abs(v) >= 1 {
					break
				}
				prefix = p
				v *= 1000
			}
			return fmt.Sprintf("%.4g%s", v, prefix), nil
		},
		"humanize1024": func(i interface{}) (string, error) {
			v, err := convertToFloat(i)
			if err != nil {
				return "", err
			}
			if math.Abs(v) <= 1 || math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Sprintf("%.4g", v), nil
			}
			prefix := ""
			for _, p := range []string{"ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"} {
				if math.Abs(v) < 1024 {
					break
				}
				prefix = p
				v /= 1024
			}
			return fmt.Sprintf("%.4g%s", v, prefix), nil
		},
		"humanizeDuration": func(i interface{}) (string, error) {
			v, err := convertToFloat(i)
			if err != nil {
				return "", err
			}
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Sprintf("%.4g", v), nil
			}
			if v == 0 {
				return fmt.Sprintf("%.4gs", v), nil
			}
			if math.Abs(v) >= 1 {
				sign := ""
				if v < 0 {
					sign = "-"
					v = -v
				}
				duration := int64(v)
				seconds := duration % 60
				minutes := (duration / 60) % 60
				hours := (duration / 60 / 60) % 24
				days := duration / 60 / 60 / 24
				if days != 0 {
					return fmt.Sprintf("%s%dd %dh %dm %ds", sign, days, hours, minutes, seconds), nil
				}
				if hours != 0 {
					return fmt.Sprintf("%s%dh %dm %ds", sign, hours, minutes, seconds), nil
				}
				if minutes != 0 {
					return fmt.Sprintf("%s%dm %ds", sign, minutes, seconds), nil
				}
				return fmt.Sprintf("%s%.4gs", sign, v), nil
			}
			prefix := ""
			for _, p := range []string{"m", "u", "n", "p", "f", "a", "z", "y"} {
				if math.Abs(v) >= 1 {
					break
				}
				prefix = p
				v *= 1000
			}
			return fmt.Sprintf("%.4g%ss", v, prefix), nil
		},
		"humanizePercentage": func(i interface{}) (string, error) {
			v, err := convertToFloat(i)
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("%.4g%%", v*100), nil
		},
		"humanizeTimestamp": func(i interface{}) (string, error) {
			v, err := convertToFloat(i)
			if err != nil {
				return "", err
			}
			tm, err := floatToTime(v)
			switch {
			case errors.Is(err, errNaNOrInf):
				return fmt.Sprintf("%.4g", v), nil
			case err != nil:
				return "", err
			}
			return fmt.Sprint(tm), nil
		},
		"toTime": func(i interface{}) (*time.Time, error) {
			v, err := convertToFloat(i)
			if err != nil {
				return nil, err
			}
			return floatToTime(v)
		},
		"pathPrefix":  func() string { return externalURL.Path },
		"externalURL": func() string { return externalURL.String() },
		"parseDuration": func(d string) (float64, error) {
			v, err := parseDuration(d)
			if err != nil {
				return 0, err
			}
			return float64(v) / float64(time.Second), nil
		},
	}
}
