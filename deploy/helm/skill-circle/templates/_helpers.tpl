{{/* Names, labels and shared fragments of the skill-circle chart. */}}

{{- define "skill-circle.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "skill-circle.fullname" -}}
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

{{- define "skill-circle.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Name of one component's objects. Call with (dict "root" $ "component" "users"). */}}
{{- define "skill-circle.componentName" -}}
{{- printf "%s-%s" (include "skill-circle.fullname" .root | trunc 50 | trimSuffix "-") .component -}}
{{- end -}}

{{/* Selector labels of one component. Call with (dict "root" $ "component" "users"). */}}
{{- define "skill-circle.selectorLabels" -}}
app.kubernetes.io/name: {{ include "skill-circle.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* All labels of one component. Call with (dict "root" $ "component" "users"). */}}
{{- define "skill-circle.labels" -}}
helm.sh/chart: {{ include "skill-circle.chart" .root }}
{{ include "skill-circle.selectorLabels" . }}
app.kubernetes.io/part-of: skill-circle
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
{{- end -}}

{{/* image:tag, refusing a missing or "latest" tag. Call with (dict "image" .Values.image "root" $). */}}
{{- define "skill-circle.image" -}}
{{- $tag := toString (default .root.Chart.AppVersion .image.tag) -}}
{{- if or (eq $tag "") (eq $tag "latest") -}}
{{- fail (printf "image %s needs a pinned tag (got %q)" .image.repository $tag) -}}
{{- end -}}
{{- printf "%s:%s" .image.repository $tag -}}
{{- end -}}

{{/* A subgraph's values: subgraphDefaults overlaid with its own entry. Returns YAML. */}}
{{- define "skill-circle.subgraphValues" -}}
{{- $merged := mergeOverwrite (deepCopy .root.Values.subgraphDefaults) (deepCopy .values) -}}
{{- toYaml $merged -}}
{{- end -}}

{{/* Base URL of a subgraph inside the cluster. Call with (dict "root" $ "name" "users" "port" 4001). */}}
{{- define "skill-circle.subgraphURL" -}}
{{- printf "http://%s:%v" (include "skill-circle.componentName" (dict "root" .root "component" .name)) .port -}}
{{- end -}}

{{/* Mount path of the JWT signing keys. */}}
{{- define "skill-circle.jwtKeysPath" -}}/var/run/secrets/skill-circle/jwt{{- end -}}

{{/*
Environment entries of one subgraph container, besides the shared ConfigMap.
Call with (dict "root" $ "name" "users" "sg" $sg).
*/}}
{{- define "skill-circle.subgraphEnv" -}}
{{- $root := .root -}}
{{- $users := mergeOverwrite (deepCopy $root.Values.subgraphDefaults) (deepCopy $root.Values.subgraphs.users) -}}
- name: SUBGRAPH
  value: {{ .name | quote }}
- name: SKILL_CIRCLE_PORT
  value: {{ .sg.port | quote }}
- name: SKILL_CIRCLE_JWKS_URL
  value: {{ printf "%s/.well-known/jwks.json" (include "skill-circle.subgraphURL" (dict "root" $root "name" "users" "port" $users.port)) | quote }}
{{- if $root.Values.router.enabled }}
- name: SKILL_CIRCLE_GATEWAY_URL
  value: {{ printf "http://%s:%v/graphql" (include "skill-circle.componentName" (dict "root" $root "component" "router")) $root.Values.router.service.port | quote }}
{{- end }}
{{- if .sg.jwtSigningKeys }}
{{- $paths := list -}}
{{- range .sg.jwtSigningKeys }}
{{- $paths = append $paths (printf "%s/%s" (include "skill-circle.jwtKeysPath" $root) .) -}}
{{- end }}
- name: SKILL_CIRCLE_JWT_PRIVATE_KEY_FILES
  value: {{ join "," $paths | quote }}
{{- end }}
{{- range $key, $value := .sg.env }}
- name: {{ $key }}
  value: {{ $value | toString | quote }}
{{- end }}
{{- $secretEnv := merge (deepCopy (default dict .sg.secretEnv)) $root.Values.secrets.common -}}
{{- range $key, $secretKey := $secretEnv }}
- name: {{ $key }}
  valueFrom:
    secretKeyRef:
      name: {{ required "secrets.existingSecret is required" $root.Values.secrets.existingSecret }}
      key: {{ $secretKey }}
{{- end }}
{{- end -}}

{{/* Pod-level security context shared by every pod of the chart. */}}
{{- define "skill-circle.podSecurityContext" -}}
runAsNonRoot: true
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Container-level security context shared by every container of the chart. */}}
{{- define "skill-circle.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: [ALL]
{{- end -}}
