{{/* Names and labels shared by every template of the chart. */}}

{{/* The chart name, or nameOverride. */}}
{{- define "kubevents.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The release's object names: fullnameOverride, else the release name if it
already contains the chart name, else release-chart. 63 characters at most
(DNS labels). */}}
{{- define "kubevents.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "kubevents.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Selects the release's pods; never changes after install (a Deployment's
selector is immutable). */}}
{{- define "kubevents.selectorLabels" -}}
app.kubernetes.io/name: {{ include "kubevents.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "kubevents.labels" -}}
helm.sh/chart: {{ include "kubevents.chart" . }}
{{ include "kubevents.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "kubevents.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "kubevents.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "kubevents.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) -}}
{{- end -}}

{{/* A Kubernetes quantity (1Gi, 512Mi, 2G, 1.5Gi, or a plain number of
bytes) in bytes, as a float. Only the binary and decimal suffixes a volume
size uses; the schema refuses others. */}}
{{- define "kubevents.quantityBytes" -}}
{{- if kindIs "string" . -}}
{{- $num := regexFind "^[0-9]+(\\.[0-9]+)?" . -}}
{{- $unit := trimPrefix $num . -}}
{{- $mult := dict "" 1 "m" 0.001 "k" 1e3 "M" 1e6 "G" 1e9 "T" 1e12 "P" 1e15 "E" 1e18 "Ki" 1024 "Mi" 1048576 "Gi" 1073741824 "Ti" 1099511627776 "Pi" 1125899906842624 "Ei" 1152921504606846976 -}}
{{- if or (not $num) (not (hasKey $mult $unit)) -}}
{{- fail (printf "cannot read %q as a size (e.g. 1Gi, 512Mi)" .) -}}
{{- end -}}
{{- mulf $num (get $mult $unit) -}}
{{- else -}}
{{- float64 . -}}
{{- end -}}
{{- end -}}

{{/* The disk budget kubevents gets (its config key dataDirMaxBytes): 90% of
the data volume, i.e. of persistence.size for a claim the chart creates, or
of persistence.emptyDirSizeLimit. An emptyDir lives on the node's disk, so
kubevents' own default (90% of the filesystem it finds) would be far too
large there. Empty when unknown (an existing claim, an emptyDir without a
limit): kubevents then measures the filesystem, which for a claim is the
claim. */}}
{{- define "kubevents.dataDirMaxBytes" -}}
{{- $p := .Values.persistence -}}
{{- $size := "" -}}
{{- if $p.enabled -}}
{{- if not $p.existingClaim -}}{{- $size = $p.size -}}{{- end -}}
{{- else -}}
{{- $size = $p.emptyDirSizeLimit -}}
{{- end -}}
{{- if $size -}}
{{- printf "%d" (mulf (include "kubevents.quantityBytes" $size) 0.9 | floor | int64) -}}
{{- end -}}
{{- end -}}
