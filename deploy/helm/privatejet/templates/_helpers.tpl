{{/* Names and labels, as `helm create` and the Backstage, Kong and Gravitee charts make them. */}}

{{- define "privatejet.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "privatejet.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "privatejet.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "privatejet.selectorLabels" -}}
app.kubernetes.io/name: {{ include "privatejet.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "privatejet.labels" -}}
helm.sh/chart: {{ include "privatejet.chart" . }}
{{ include "privatejet.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/component: portal
{{- end }}

{{- define "privatejet.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "privatejet.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "privatejet.image" -}}
{{- $repository := .Values.image.repository }}
{{- if .Values.image.registry }}{{ $repository = printf "%s/%s" .Values.image.registry .Values.image.repository }}{{ end }}
{{- if .Values.image.digest }}
{{- printf "%s@%s" $repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" $repository (default .Chart.AppVersion .Values.image.tag | toString) }}
{{- end }}
{{- end }}

{{/* The Secret holding DATABASE_URL: the user's, or the one this chart makes from database.url. */}}
{{- define "privatejet.databaseSecretName" -}}
{{- if .Values.database.existingSecret }}
{{- .Values.database.existingSecret }}
{{- else }}
{{- printf "%s-database" (include "privatejet.fullname" .) }}
{{- end }}
{{- end }}

{{- define "privatejet.databaseSecretKey" -}}
{{- if .Values.database.existingSecret }}{{ .Values.database.existingSecretKey }}{{ else }}DATABASE_URL{{ end }}
{{- end }}

{{- define "privatejet.secretsName" -}}
{{- if .Values.secrets.existingSecret }}
{{- .Values.secrets.existingSecret }}
{{- else }}
{{- printf "%s-secrets" (include "privatejet.fullname" .) }}
{{- end }}
{{- end }}

{{- define "privatejet.configMapName" -}}
{{- if .Values.config.existingConfigMap }}
{{- .Values.config.existingConfigMap }}
{{- else }}
{{- printf "%s-config" (include "privatejet.fullname" .) }}
{{- end }}
{{- end }}

{{/* Where gateways go: rbac.gatewayNamespaces, or the release's namespace. */}}
{{- define "privatejet.gatewayNamespaces" -}}
{{- if .Values.rbac.gatewayNamespaces }}
{{- toJson .Values.rbac.gatewayNamespaces }}
{{- else }}
{{- toJson (list .Release.Namespace) }}
{{- end }}
{{- end }}

{{/* Stops rendering with a message when values contradict each other (values.schema.json checks each value alone). */}}
{{- define "privatejet.validate" -}}
{{- if and .Values.database.url .Values.database.existingSecret }}
{{- fail "database: set url or existingSecret, not both" }}
{{- end }}
{{- if not (or .Values.database.url .Values.database.existingSecret) }}
{{- fail "database: set url (postgres://…) or existingSecret: PrivateJet needs an external PostgreSQL when it runs in Kubernetes" }}
{{- end }}
{{- if and .Values.database.url (not (regexMatch "^postgres(ql)?://" .Values.database.url)) }}
{{- fail "database.url must start with postgres:// or postgresql://" }}
{{- end }}
{{- if not .Values.secrets.existingSecret }}
{{- if not (and .Values.secrets.masterKey .Values.secrets.authSecret) }}
{{- fail "secrets: set existingSecret, or both masterKey and authSecret (each: openssl rand -base64 32); they must stay the same across upgrades" }}
{{- end }}
{{- end }}
{{- if and .Values.config.deploymentToml (not .Values.config.existingConfigMap) (gt (int .Values.replicaCount) 1) (regexMatch "(?m)^\\s*type\\s*=\\s*\"Local\"" .Values.config.deploymentToml) }}
{{- fail "config.deploymentToml names a Local cluster, whose gateways are processes of one pod: use replicaCount 1, or a Kubernetes cluster" }}
{{- end }}
{{- end }}
