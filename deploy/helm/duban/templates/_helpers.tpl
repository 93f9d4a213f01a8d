{{/* The release's name prefix of every object, cut to the 63 characters a label value allows. */}}
{{- define "duban.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* One service's object name: duban.component (dict "root" $ "name" "tracker"). */}}
{{- define "duban.component" -}}
{{- printf "%s-%s" (include "duban.fullname" .root) .name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The labels of every object besides those that select (name, instance, component). */}}
{{- define "duban.metaLabels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: duban
{{- end -}}

{{- define "duban.labels" -}}
{{ include "duban.metaLabels" . }}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* The labels that select one service's pods: duban.selector (dict "root" $ "name" "tracker"). */}}
{{- define "duban.selector" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .name }}
{{- end -}}

{{- define "duban.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/*
The services that consume in one consumer group: their useful instances are bounded by the partition count.
A render with more replicas, or an autoscaler allowed more, fails here rather than leaving idle consumers.
*/}}
{{- define "duban.checkReplicas" -}}
{{- $partitions := int .root.Values.kafka.partitions -}}
{{- if has .name (list "tracker" "alerts") -}}
{{- if gt (int .service.replicas) $partitions -}}
{{- fail (printf "services.%s.replicas (%d) exceeds kafka.partitions (%d): a consumer group uses at most one instance per partition" .name (int .service.replicas) $partitions) -}}
{{- end -}}
{{- if and .service.autoscaling.enabled (gt (int .service.autoscaling.maxReplicas) $partitions) -}}
{{- fail (printf "services.%s.autoscaling.maxReplicas (%d) exceeds kafka.partitions (%d): a consumer group uses at most one instance per partition" .name (int .service.autoscaling.maxReplicas) $partitions) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* A service's rules file, from its `rules` value: the setting naming it and its ConfigMap (mounted at
/etc/duban/<service>/rules.yaml): alerts' thresholds, reporting's 考核 scoring rules; "" for the other services.
duban.rulesSetting "alerts", duban.rulesConfig "alerts". */}}
{{- define "duban.rulesSetting" -}}
{{- get (dict "alerts" "DUBAN_ALERT_RULES_FILE" "reporting" "DUBAN_SCORING_RULES_FILE") . -}}
{{- end -}}

{{- define "duban.rulesConfig" -}}
{{- get (dict "alerts" "alert-rules" "reporting" "scoring-rules") . -}}
{{- end -}}
