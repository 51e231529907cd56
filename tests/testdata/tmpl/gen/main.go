// Command gen writes the expected output of every template in ../cases.txt
// for every Event of ../../event/core_event_list.json, as Go's text/template
// with sprig's TxtFuncMap (what the reference exporter,
// resmoio/kubernetes-event-exporter, uses for layouts) renders it. Each
// Event is wrapped in the reference's EnhancedEvent shape with
// ClusterName "test-cluster".
//
// Output, one JSON line per case: {"template": T, "outputs": [O1, O2, ...]}
// with one output per event, null where execution (or parsing) failed.
//
//	cd tests/testdata/tmpl/gen && TZ=UTC go run . ../cases.txt ../../event/core_event_list.json > ../expected.jsonl
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"text/template"
	"time"

	"github.com/Masterminds/sprig/v3"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// The reference exporter's document shape (pkg/kube/event.go there), with
// the enrichment fields kubevents exposes.
type enhancedObjectReference struct {
	corev1.ObjectReference `json:",inline"`
	Labels                 map[string]string       `json:"labels,omitempty"`
	Annotations            map[string]string       `json:"annotations,omitempty"`
	OwnerReferences        []metav1.OwnerReference `json:"ownerReferences,omitempty"`
	Deleted                bool                    `json:"deleted"`
}

type enhancedEvent struct {
	corev1.Event   `json:",inline"`
	ClusterName    string                  `json:"clusterName"`
	InvolvedObject enhancedObjectReference `json:"involvedObject"`
}

// The reference's methods.
func (e *enhancedEvent) GetTimestampMs() int64 {
	ts := e.FirstTimestamp.Time
	if ts.IsZero() {
		ts = e.EventTime.Time
	}
	return ts.UnixNano() / int64(time.Millisecond)
}

func (e *enhancedEvent) GetTimestampISO8601() string {
	ts := e.FirstTimestamp.Time
	if ts.IsZero() {
		ts = e.EventTime.Time
	}
	return ts.Format("2006-01-02T15:04:05.000Z")
}

// kubevents's own addition.
func (e *enhancedEvent) IdempotencyKey() string {
	return string(e.UID) + "/" + e.ResourceVersion
}

// Cases: one template per line; blank lines and lines starting with "##"
// are skipped; the two characters `\n` stand for a newline.
func readCases(path string) []string {
	f, err := os.Open(path)
	if err != nil {
		panic(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "##") {
			continue
		}
		out = append(out, strings.ReplaceAll(line, `\n`, "\n"))
	}
	return out
}

func main() {
	cases := readCases(os.Args[1])
	data, err := os.ReadFile(os.Args[2])
	if err != nil {
		panic(err)
	}
	var list corev1.EventList
	if err := json.Unmarshal(data, &list); err != nil {
		panic(err)
	}
	var events []*enhancedEvent
	for _, ev := range list.Items {
		ev.ManagedFields = nil
		e := &enhancedEvent{Event: ev, ClusterName: "test-cluster"}
		e.InvolvedObject.ObjectReference = ev.InvolvedObject
		events = append(events, e)
	}
	for _, text := range cases {
		outputs := make([]*string, len(events))
		tmpl, perr := template.New("t").Funcs(sprig.TxtFuncMap()).Parse(text)
		for i, ev := range events {
			if perr != nil {
				continue
			}
			var b strings.Builder
			if err := tmpl.Execute(&b, ev); err != nil {
				continue
			}
			s := b.String()
			outputs[i] = &s
		}
		line, err := json.Marshal(struct {
			Template string    `json:"template"`
			Outputs  []*string `json:"outputs"`
		}{text, outputs})
		if err != nil {
			panic(err)
		}
		fmt.Println(string(line))
	}
}
