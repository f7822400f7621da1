/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sero-host-proxy.h"
#include "sero-runtime-oci.h"

/* The host proxy's decisions, without sockets: when it is on, where it may
 * listen, what the runtime's commands are told, and where the gateway is. */

/* Recorded from `podman container inspect` (rootful, CNI bridge), the
 * NetworkSettings part. */
static const char podman_inspect[] =
  "[{\"Id\":\"9d20d7ba\",\"NetworkSettings\":{\"IPAddress\":\"10.88.2.60\",\"Gateway\":\"10.88.0.1\","
  "\"IPPrefixLen\":16,\"Networks\":{\"podman\":{\"EndpointID\":\"\",\"Gateway\":\"10.88.0.1\","
  "\"IPAddress\":\"10.88.2.60\",\"IPPrefixLen\":16,\"IPv6Gateway\":\"\",\"GlobalIPv6Address\":\"\","
  "\"GlobalIPv6PrefixLen\":0,\"MacAddress\":\"4a:66:a8:25:dc:ef\",\"NetworkID\":\"podman\"}}}}]";

/* Docker on a user-defined network: nothing at the top level. */
static const char docker_inspect[] =
  "[{\"Id\":\"abc\",\"NetworkSettings\":{\"IPAddress\":\"\",\"Gateway\":\"\",\"IPPrefixLen\":0,"
  "\"Networks\":{\"sero\":{\"Gateway\":\"172.19.0.1\",\"IPAddress\":\"172.19.0.2\",\"IPPrefixLen\":16}}}}]";

/* Rootless Podman with slirp4netns: no gateway on the host. */
static const char rootless_inspect[] =
  "[{\"Id\":\"def\",\"NetworkSettings\":{\"IPAddress\":\"\",\"Gateway\":\"\",\"IPPrefixLen\":0,"
  "\"Networks\":{}}}]";

static void
test_enabled (void)
{
  g_unsetenv ("SERO_CONTAINER_PROXY");
  g_assert_false (sero_host_proxy_is_enabled (SERO_RUNTIME_BACKEND_DOCKER));
  g_assert_false (sero_host_proxy_is_enabled (SERO_RUNTIME_BACKEND_HOST));
  g_assert_true (sero_host_proxy_is_enabled (SERO_RUNTIME_BACKEND_APPLE_CONTAINER));

  g_setenv ("SERO_CONTAINER_PROXY", "1", TRUE);
  g_assert_true (sero_host_proxy_is_enabled (SERO_RUNTIME_BACKEND_DOCKER));
  g_assert_true (sero_host_proxy_is_enabled (SERO_RUNTIME_BACKEND_HOST));

  g_setenv ("SERO_CONTAINER_PROXY", "0", TRUE);
  g_assert_false (sero_host_proxy_is_enabled (SERO_RUNTIME_BACKEND_APPLE_CONTAINER));
  g_assert_false (sero_host_proxy_is_enabled (SERO_RUNTIME_BACKEND_DOCKER));
  g_unsetenv ("SERO_CONTAINER_PROXY");
}

static void
test_bind_address (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *reason = NULL;
  g_autofree char *chosen = NULL;

  g_assert_true (sero_host_proxy_check_bind_address ("127.0.0.1", &error));
  g_assert_true (sero_host_proxy_check_bind_address ("10.88.0.1", &error));
  g_assert_no_error (error);

  g_assert_false (sero_host_proxy_check_bind_address ("0.0.0.0", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_assert_nonnull (strstr (error->message, "never listens on 0.0.0.0"));
  g_clear_error (&error);
  g_assert_false (sero_host_proxy_check_bind_address ("::", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  g_assert_false (sero_host_proxy_check_bind_address ("localhost", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* Host processes: loopback, whatever the gateway. */
  chosen = sero_host_proxy_choose_bind_address (FALSE, "10.88.0.1", &reason);
  g_assert_cmpstr (chosen, ==, "127.0.0.1");
  g_assert_null (reason);
  g_free (chosen);

  /* Containers: the gateway. */
  chosen = sero_host_proxy_choose_bind_address (TRUE, "10.88.0.1", &reason);
  g_assert_cmpstr (chosen, ==, "10.88.0.1");
  g_assert_null (reason);
  g_free (chosen);

  /* No gateway, or a wildcard one: loopback, and why. */
  chosen = sero_host_proxy_choose_bind_address (TRUE, NULL, &reason);
  g_assert_cmpstr (chosen, ==, "127.0.0.1");
  g_assert_nonnull (strstr (reason, "no gateway"));
  g_clear_pointer (&reason, g_free);
  g_free (chosen);

  chosen = sero_host_proxy_choose_bind_address (TRUE, "0.0.0.0", &reason);
  g_assert_cmpstr (chosen, ==, "127.0.0.1");
  g_assert_nonnull (strstr (reason, "0.0.0.0"));
}

static void
test_env (void)
{
  g_auto(GStrv) env = sero_host_proxy_build_env ("http://10.88.0.1:19800", "10.88.0.0/16");
  g_auto(GStrv) host_env = sero_host_proxy_build_env ("http://127.0.0.1:19801", NULL);
  g_autofree char *subnet = sero_host_proxy_subnet ("10.88.0.1", 16);
  g_autofree char *apple = sero_host_proxy_subnet ("192.168.64.1", 24);
  g_autofree char *odd = sero_host_proxy_subnet ("172.19.130.1", 20);
  g_autofree char *lines = NULL;

  g_assert_cmpstr (subnet, ==, "10.88.0.0/16");
  g_assert_cmpstr (apple, ==, "192.168.64.0/24");
  g_assert_cmpstr (odd, ==, "172.19.128.0/20");
  g_assert_null (sero_host_proxy_subnet ("nonsense", 8));
  g_assert_null (sero_host_proxy_subnet ("10.0.0.1", 33));

  g_assert_cmpstrv (env, ((const char *[]) {
    "HTTP_PROXY=http://10.88.0.1:19800",
    "HTTPS_PROXY=http://10.88.0.1:19800",
    "http_proxy=http://10.88.0.1:19800",
    "https_proxy=http://10.88.0.1:19800",
    "NO_PROXY=localhost,127.0.0.1,10.88.0.0/16",
    "no_proxy=localhost,127.0.0.1,10.88.0.0/16",
    NULL }));
  g_assert_true (g_strv_contains ((const char * const *) host_env, "NO_PROXY=localhost,127.0.0.1"));

  /* Profile lines fill in only what an exec did not already set. */
  lines = sero_host_proxy_profile_lines ((const char * const *) env);
  g_assert_nonnull (strstr (lines, "[ -n \"${HTTP_PROXY:-}\" ] || HTTP_PROXY='http://10.88.0.1:19800'; export HTTP_PROXY\n"));
  g_assert_nonnull (strstr (lines, "export no_proxy\n"));
}

static void
test_gateway_from_inspect (void)
{
  g_autofree char *podman = NULL;
  g_autofree char *docker = NULL;
  g_autofree char *rootless = NULL;
  guint prefix = 99;

  podman = sero_runtime_oci_parse_gateway (podman_inspect, &prefix);
  g_assert_cmpstr (podman, ==, "10.88.0.1");
  g_assert_cmpuint (prefix, ==, 16);

  docker = sero_runtime_oci_parse_gateway (docker_inspect, &prefix);
  g_assert_cmpstr (docker, ==, "172.19.0.1");
  g_assert_cmpuint (prefix, ==, 16);

  rootless = sero_runtime_oci_parse_gateway (rootless_inspect, &prefix);
  g_assert_null (rootless);
  g_assert_cmpuint (prefix, ==, 0);

  g_assert_null (sero_runtime_oci_parse_gateway ("not json", &prefix));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sero/host-proxy/enabled", test_enabled);
  g_test_add_func ("/sero/host-proxy/bind-address", test_bind_address);
  g_test_add_func ("/sero/host-proxy/env", test_env);
  g_test_add_func ("/sero/host-proxy/gateway-from-inspect", test_gateway_from_inspect);

  return g_test_run ();
}
