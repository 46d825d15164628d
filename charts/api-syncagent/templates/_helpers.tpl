{{- define "api-syncagent.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "api-syncagent.fullname" -}}
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

{{- define "api-syncagent.namespace" -}}
{{- default .Release.Namespace .Values.namespaceOverride -}}
{{- end -}}

{{- define "api-syncagent.agentName" -}}
{{- default .Release.Name .Values.agentName -}}
{{- end -}}

{{- define "api-syncagent.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "api-syncagent.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "api-syncagent.selectorLabels" -}}
app.kubernetes.io/name: {{ include "api-syncagent.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "api-syncagent.labels" -}}
{{ include "api-syncagent.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- with .Values.extraLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* The agent's command-line arguments; the binary accepts exactly these. */}}
{{- define "api-syncagent.args" -}}
{{- $slice := default .Values.apiExportName .Values.apiExportEndpointSliceName -}}
{{- $export := default $slice .Values.apiExportName -}}
{{- if not $slice -}}
{{- fail "set apiExportEndpointSliceName (or apiExportName)" -}}
{{- end -}}
{{- if not .Values.kcpKubeconfig -}}
{{- fail "set kcpKubeconfig to the name of a Secret with a kcp kubeconfig (key: kubeconfig)" -}}
{{- end -}}
- --namespace=$(POD_NAMESPACE)
- --agent-name={{ include "api-syncagent.agentName" . }}
- --apiexportendpointslice-ref={{ $slice }}
- --apiexport-ref={{ $export }}
- --kcp-kubeconfig=/etc/api-syncagent/kcp/kubeconfig
{{- if .Values.kubeconfig }}
- --kubeconfig=/etc/api-syncagent/cluster/kubeconfig
{{- end }}
{{- with .Values.kubeconfigHostOverride }}
- --kubeconfig-host-override={{ . }}
{{- end }}
{{- with .Values.kubeconfigCAFileOverride }}
- --kubeconfig-ca-file-override={{ . }}
{{- end }}
{{- with .Values.publishedResourceSelector }}
- --published-resource-selector={{ . }}
{{- end }}
{{- if .Values.splitEndpoints }}
- --split-endpoints
{{- else }}
- --enable-leader-election={{ .Values.enableLeaderElection }}
{{- end }}
{{- with .Values.disabledControllers }}
- --disabled-controllers={{ join "," . }}
{{- end }}
- --health-address=0.0.0.0:{{ .Values.health.port }}
{{- if .Values.metrics.enabled }}
- --metrics-address=0.0.0.0:{{ .Values.metrics.port }}
{{- else }}
- --metrics-address=0
{{- end }}
- --kcp-qps={{ .Values.clientLimits.kcp.qps }}
- --kcp-burst={{ .Values.clientLimits.kcp.burst }}
- --service-qps={{ .Values.clientLimits.service.qps }}
- --service-burst={{ .Values.clientLimits.service.burst }}
- --sync-workers={{ .Values.syncWorkers }}
- --event-qps={{ .Values.events.qps }}
- --event-burst={{ .Values.events.burst }}
- --namespace-cleanup={{ .Values.namespaceCleanup }}
- --log-format={{ .Values.logFormat }}
{{- if .Values.logDebug }}
- --log-debug
{{- end }}
{{- range .Values.extraFlags }}
- {{ . }}
{{- end }}
{{- end -}}
