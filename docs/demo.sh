#!/usr/bin/env bash
# The seed workflow of OrleansEc2, end to end, with ec2sim (docs/demo.md walks through it with its output):
# launch a Windows instance, change it, bundle it, register the bundle, launch the copy, migrate it to the EU and
# launch it there. Stops at the first command that fails.
#
#   docs/demo.sh [URL]      URL: the silo (default: $EC2_URL, else http://127.0.0.1:8773)
#
# EC2SIM is how to run ec2sim (default: ec2sim, the dotnet tool); from a build of the repository:
#   EC2SIM="dotnet tools/OrleansEc2.Cli/bin/Debug/net10.0/ec2sim.dll" docs/demo.sh
# It signs as the demo account alice unless AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY say otherwise. The key pair,
# bucket and image names get a suffix of their own (DEMO_SUFFIX, default: the time and the process id), so the demo can
# run again on the same silo; DEMO_SUFFIX= (empty) uses the plain names, on a fresh silo.
set -euo pipefail

read -r -a EC2SIM <<< "${EC2SIM:-ec2sim}"
export EC2_URL="${1:-${EC2_URL:-http://127.0.0.1:8773}}"
export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-AKIAIOSFODNN7EXAMPLE}"
export AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY}"
export AWS_DEFAULT_REGION=us-east-1
unset EC2SIM_CONFIG

SUFFIX="${DEMO_SUFFIX-$(date +%s)-$$}"
KEY="demo${SUFFIX:+-$SUFFIX}"
BUCKET="demo-bucket${SUFFIX:+-$SUFFIX}"
IMAGE_NAME="winami${SUFFIX:+-$SUFFIX}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

step() { printf '\n== %s\n' "$*"; }

# The command line as a reader would type it: arguments with spaces or backslashes quoted, the keys by name.
show() {
    local arg line='$ ec2sim'
    for arg in "$@"; do
        if [ "$arg" = "$AWS_ACCESS_KEY_ID" ]; then line+=' "$AWS_ACCESS_KEY_ID"'
        elif [ "$arg" = "$AWS_SECRET_ACCESS_KEY" ]; then line+=' "$AWS_SECRET_ACCESS_KEY"'
        elif [[ "$arg" =~ [^A-Za-z0-9_./:=@%+,-] ]]; then line+=" '${arg//\'/\'\\\'\'}'"
        else line+=" $arg"
        fi
    done
    printf '%s\n' "$line"
}

# Runs one ec2sim command, shows it and its output; OUT keeps the output for the next steps.
ec2sim() {
    show "$@"
    OUT="$(command "${EC2SIM[@]}" "$@")"
    if [ -n "$OUT" ]; then printf '%s\n' "$OUT"; fi
}

# Column N of the last line of OUT whose first column is KIND (after --wait, where the thing ended).
field() { printf '%s\n' "$OUT" | awk -F '\t' -v kind="$1" -v n="$2" '$1 == kind { value = $n } END { print value }'; }

fail() { printf 'demo: %s\n' "$*" >&2; exit 1; }

step "The regions, and the public Windows AMI of us-east-1"
ec2sim describe-regions
ec2sim describe-images -o amazon -F platform=windows
AMI="$(field IMAGE 2)"

step "A key pair to seal the Windows administrator password with"
ec2sim create-keypair "$KEY" -f "$KEY.pem"

step "Launch a Windows instance and wait until it runs"
ec2sim run-instances "$AMI" -n 1 -k "$KEY" -t m1.small -z us-east-1a --wait
INSTANCE="$(field INSTANCE 2)"
ec2sim get-console-output "$INSTANCE"
case "$OUT" in
    *"Message: Windows is Ready to use"*) ;;
    *) fail "the console does not say Windows is ready" ;;
esac
ec2sim get-password "$INSTANCE" -k "$KEY.pem"
[ -n "$OUT" ] || fail "the new instance has no password"

step "Change the instance: a file, Disk Cleanup, defragment, sdelete -c C:\\"
ec2sim guest-write-file "$INSTANCE" 'C:\Users\Administrator\Desktop\readme.txt' -c "Bundled by the OrleansEc2 demo"
ec2sim guest-disk-cleanup "$INSTANCE"
ec2sim guest-defrag "$INSTANCE"
ec2sim guest-sdelete "$INSTANCE"

step "Bundle it into S3 and watch the bundle task"
ec2sim bundle-instance "$INSTANCE" -b "$BUCKET" -p winami -o "$AWS_ACCESS_KEY_ID" -w "$AWS_SECRET_ACCESS_KEY" --wait
BUNDLE="$(field BUNDLE 2)"
ec2sim describe-bundle-tasks "$BUNDLE"
[ "$(field BUNDLE 8)" = complete ] || fail "the bundle task did not complete"

step "Register the bundle as an AMI and launch a copy"
ec2sim register "$BUCKET/winami.manifest.xml" -n "$IMAGE_NAME" -d "Windows Server 2003 with the demo's changes"
COPY_AMI="$(field IMAGE 2)"
ec2sim describe-images "$COPY_AMI"
ec2sim run-instances "$COPY_AMI" -k "$KEY" --wait
COPY="$(field INSTANCE 2)"

step "The copy keeps the bundled instance's password: get-password shows nothing for it"
ec2sim get-password "$COPY" -k "$KEY.pem"
[ -z "$OUT" ] || fail "the copy should have no password data"
ec2sim guest-cat "$COPY" 'C:\Users\Administrator\Desktop\readme.txt'
[ "$OUT" = "Bundled by the OrleansEc2 demo" ] || fail "the copy lacks the bundled file"

step "Migrate the bundle to the EU (re-sealed for eu-west-1's EC2 key, signed with the account's certificate)"
ec2sim download-credentials -d creds
CERT="$(field CREDENTIALS 2)"
PRIVATE_KEY="$(field CREDENTIALS 3)"
ec2sim migrate-image --cert "$CERT" --privatekey "$PRIVATE_KEY" -o "$AWS_ACCESS_KEY_ID" -w "$AWS_SECRET_ACCESS_KEY" \
    --bucket "$BUCKET" --destination-bucket "$BUCKET-eu" --manifest winami.manifest.xml --location EU --wait
[ "$(field MIGRATION 8)" = complete ] || fail "the migration did not complete"

step "Register it in eu-west-1 and launch it there"
ec2sim register --region eu-west-1 "$BUCKET-eu/winami.manifest.xml" -n "$IMAGE_NAME"
EU_AMI="$(field IMAGE 2)"
ec2sim create-keypair --region eu-west-1 "$KEY" -f "$KEY-eu.pem"
ec2sim run-instances --region eu-west-1 "$EU_AMI" -k "$KEY" --wait
EU_INSTANCE="$(field INSTANCE 2)"
ec2sim guest-cat --region eu-west-1 "$EU_INSTANCE" 'C:\Users\Administrator\Desktop\readme.txt'
[ "$OUT" = "Bundled by the OrleansEc2 demo" ] || fail "the EU copy lacks the bundled file"

step "Clean up: terminate the three instances"
ec2sim terminate-instances "$INSTANCE" "$COPY" --wait
ec2sim terminate-instances --region eu-west-1 "$EU_INSTANCE" --wait

printf '\ndemo: complete\n'
