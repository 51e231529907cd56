// Command gen writes, for each Event of a recorded core/v1 EventList, the
// JSON the reference exporter (resmoio/kubernetes-event-exporter) emits for
// it: the Event without managedFields, then clusterName, then the enhanced
// involvedObject. Its output is the expected value of
// tests/unit/event/encode_test.cc.
//
//	go run . < ../core_event_list.json > ../core_event_list.reference.jsonl
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// The reference exporter's document shape (pkg/kube/event.go there).
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

func main() {
	data, err := io.ReadAll(os.Stdin)
	if err != nil {
		panic(err)
	}
	var list corev1.EventList
	if err := json.Unmarshal(data, &list); err != nil {
		panic(err)
	}
	for _, ev := range list.Items {
		ev.ManagedFields = nil
		out := enhancedEvent{Event: ev, ClusterName: "test-cluster"}
		out.InvolvedObject.ObjectReference = ev.InvolvedObject
		b, err := json.Marshal(out)
		if err != nil {
			panic(err)
		}
		fmt.Println(string(b))
	}
}
