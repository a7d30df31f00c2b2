/*
 * natmesh TUN addon: the ioctls Node cannot issue. It opens /dev/net/tun, attaches a named
 * device, sets the virtio-net header size and byte order and the offloads, and hands the file
 * descriptor to TypeScript, which does every read, write and byte of packet handling itself.
 *
 * Errors throw a JS Error whose `code` is the errno name ("EPERM", "EBUSY", ...) and whose
 * message names the ioctl, so the TypeScript side can map them to its own error classes.
 * `setOffload` is the exception: an old kernel refusing a flag is expected, so it returns the
 * errno (0 on success) and TypeScript walks down its fallback list.
 *
 * `watch` is the one thing here that is not an ioctl: a libuv poll handle on the fd that calls
 * back into JS when the device has packets to read. Node offers no public way to wait for
 * readability of a character device: net.Socket refuses the fd (libuv classes it as a file),
 * and fs.read on the threadpool either spins on EAGAIN (non-blocking fd) or parks a pool thread
 * in read(2) that close(2) cannot wake (blocking fd). The callback carries no bytes; TypeScript
 * reads the packets itself with fs.readSync until EAGAIN.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <node_api.h>
#include <stdlib.h>
#include <uv.h>

#define NAPI_CALL(env, call)                                                     \
  do {                                                                           \
    if ((call) != napi_ok) {                                                     \
      napi_throw_error((env), "ENAPI", "N-API call failed: " #call);             \
      return NULL;                                                               \
    }                                                                            \
  } while (0)

static napi_value throw_errno(napi_env env, const char *what, int err) {
  char msg[160];
  snprintf(msg, sizeof msg, "%s: %s", what, strerror(err));
  /* libuv errors are negated errnos on Unix, and libuv names them as Node does. */
  napi_throw_error(env, uv_err_name(-err), msg);
  return NULL;
}

static int get_args(napi_env env, napi_callback_info info, size_t want, napi_value *argv) {
  size_t argc = want;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < want) {
    napi_throw_type_error(env, "EARGS", "missing arguments");
    return 0;
  }
  return 1;
}

static int get_int(napi_env env, napi_value v, int32_t *out) {
  if (napi_get_value_int32(env, v, out) != napi_ok) {
    napi_throw_type_error(env, "EARGS", "expected an integer argument");
    return 0;
  }
  return 1;
}

/* open(name: string, ifFlags: number): [fd: number, name: string]
 * The fd is O_NONBLOCK and O_CLOEXEC: TypeScript waits for readability on the event loop and
 * reads until EAGAIN, and a child process (ip, tshark) must not inherit the device. An empty
 * name lets the kernel pick one (tun%d); the name it attached is returned. */
static napi_value tun_open(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!get_args(env, info, 2, argv)) return NULL;
  char name[IFNAMSIZ];
  size_t name_len = 0;
  /* First ask for the length: napi would truncate silently into the buffer. */
  if (napi_get_value_string_utf8(env, argv[0], NULL, 0, &name_len) != napi_ok) {
    napi_throw_type_error(env, "EARGS", "name must be a string");
    return NULL;
  }
  if (name_len >= IFNAMSIZ) {
    napi_throw_range_error(env, "ENAMETOOLONG", "interface name longer than 15 bytes");
    return NULL;
  }
  NAPI_CALL(env, napi_get_value_string_utf8(env, argv[0], name, sizeof name, &name_len));
  int32_t flags;
  if (!get_int(env, argv[1], &flags)) return NULL;

  int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return throw_errno(env, "open /dev/net/tun", errno);
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  memcpy(ifr.ifr_name, name, name_len);
  ifr.ifr_flags = (short)flags;
  if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
    int err = errno;
    close(fd);
    return throw_errno(env, "TUNSETIFF", err);
  }
  napi_value result, jfd, jname;
  NAPI_CALL(env, napi_create_array_with_length(env, 2, &result));
  NAPI_CALL(env, napi_create_int32(env, fd, &jfd));
  NAPI_CALL(env, napi_create_string_utf8(env, ifr.ifr_name, strnlen(ifr.ifr_name, IFNAMSIZ), &jname));
  NAPI_CALL(env, napi_set_element(env, result, 0, jfd));
  NAPI_CALL(env, napi_set_element(env, result, 1, jname));
  return result;
}

/* features(fd): number — TUNGETFEATURES, the IFF_* flags this kernel's tun driver knows. */
static napi_value tun_features(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!get_args(env, info, 1, argv)) return NULL;
  int32_t fd;
  if (!get_int(env, argv[0], &fd)) return NULL;
  unsigned int features = 0;
  if (ioctl(fd, TUNGETFEATURES, &features) < 0) return throw_errno(env, "TUNGETFEATURES", errno);
  napi_value out;
  NAPI_CALL(env, napi_create_uint32(env, features, &out));
  return out;
}

/* setVnetHeaderSize(fd, size): TUNSETVNETHDRSZ. */
static napi_value tun_set_vnet_hdr_size(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!get_args(env, info, 2, argv)) return NULL;
  int32_t fd, size;
  if (!get_int(env, argv[0], &fd) || !get_int(env, argv[1], &size)) return NULL;
  int sz = size;
  if (ioctl(fd, TUNSETVNETHDRSZ, &sz) < 0) return throw_errno(env, "TUNSETVNETHDRSZ", errno);
  return NULL;
}

/* setVnetLittleEndian(fd, on): TUNSETVNETLE, then reads it back with TUNGETVNETLE and returns
 * what the kernel holds. Little-endian is already the default on little-endian hosts (the
 * legacy rule: native order); setting it makes the header virtio 1.0 on every host. */
static napi_value tun_set_vnet_le(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!get_args(env, info, 2, argv)) return NULL;
  int32_t fd, on;
  if (!get_int(env, argv[0], &fd) || !get_int(env, argv[1], &on)) return NULL;
  int le = on ? 1 : 0;
  if (ioctl(fd, TUNSETVNETLE, &le) < 0) return throw_errno(env, "TUNSETVNETLE", errno);
  le = -1;
  if (ioctl(fd, TUNGETVNETLE, &le) < 0) return throw_errno(env, "TUNGETVNETLE", errno);
  napi_value out;
  NAPI_CALL(env, napi_get_boolean(env, le == 1, &out));
  return out;
}

/* setOffload(fd, tunFlags): errno — TUNSETOFFLOAD; 0 when the kernel took the flags. */
static napi_value tun_set_offload(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!get_args(env, info, 2, argv)) return NULL;
  int32_t fd, flags;
  if (!get_int(env, argv[0], &fd) || !get_int(env, argv[1], &flags)) return NULL;
  int err = ioctl(fd, TUNSETOFFLOAD, (unsigned long)(unsigned int)flags) < 0 ? errno : 0;
  napi_value out;
  NAPI_CALL(env, napi_create_int32(env, err, &out));
  return out;
}

/* A readiness watcher. Freed when both its libuv handle has closed and its JS external has been
 * collected, whichever comes last, so neither side can touch freed memory. */
typedef struct {
  uv_poll_t poll;
  napi_env env;
  napi_ref callback;
  napi_ref resource;
  napi_async_context context;
  int active;
  int closed;
  int finalized;
} tun_watch;

static void watch_free_if_done(tun_watch *w) {
  if (w->closed && w->finalized) free(w);
}

static void watch_on_close(uv_handle_t *handle) {
  tun_watch *w = (tun_watch *)handle->data;
  w->closed = 1;
  watch_free_if_done(w);
}

/* Stops polling and releases the JS references; the memory waits for watch_on_close. */
static void watch_stop(tun_watch *w) {
  if (!w->active) return;
  w->active = 0;
  uv_poll_stop(&w->poll);
  uv_close((uv_handle_t *)&w->poll, watch_on_close);
  napi_async_destroy(w->env, w->context);
  napi_delete_reference(w->env, w->callback);
  napi_delete_reference(w->env, w->resource);
}

/* Environment teardown (process or worker exit) with the watcher still running. */
static void watch_cleanup_hook(void *arg) {
  watch_stop((tun_watch *)arg);
}

static void watch_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  tun_watch *w = (tun_watch *)data;
  w->finalized = 1;
  watch_free_if_done(w);
}

static void watch_on_poll(uv_poll_t *handle, int status, int events) {
  (void)events;
  tun_watch *w = (tun_watch *)handle->data;
  if (!w->active) return;
  napi_env env = w->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value cb, resource, arg, result;
  if (napi_get_reference_value(env, w->callback, &cb) == napi_ok &&
      napi_get_reference_value(env, w->resource, &resource) == napi_ok &&
      napi_create_int32(env, status, &arg) == napi_ok) {
    /* Through make_callback so microtasks run and async hooks see one callback per wake-up. */
    if (napi_make_callback(env, w->context, resource, cb, 1, &arg, &result) == napi_pending_exception) {
      napi_value err;
      napi_get_and_clear_last_exception(env, &err);
      napi_fatal_exception(env, err);
    }
  }
  napi_close_handle_scope(env, scope);
}

/* watch(fd, callback(status)): external — calls back while the fd is readable (level
 * triggered: a callback that leaves packets queued is called again on the next loop turn).
 * status is 0, or a negative libuv error after which the watcher should be stopped. */
static napi_value tun_watch_start(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!get_args(env, info, 2, argv)) return NULL;
  int32_t fd;
  if (!get_int(env, argv[0], &fd)) return NULL;
  napi_valuetype type;
  NAPI_CALL(env, napi_typeof(env, argv[1], &type));
  if (type != napi_function) {
    napi_throw_type_error(env, "EARGS", "callback must be a function");
    return NULL;
  }
  uv_loop_t *loop;
  NAPI_CALL(env, napi_get_uv_event_loop(env, &loop));
  tun_watch *w = calloc(1, sizeof *w);
  if (w == NULL) return throw_errno(env, "watch", ENOMEM);
  int rc = uv_poll_init(loop, &w->poll, fd);
  if (rc != 0) {
    free(w);
    return throw_errno(env, "uv_poll_init", -rc);
  }
  w->poll.data = w;
  w->env = env;
  napi_value resource, name, external;
  NAPI_CALL(env, napi_create_object(env, &resource));
  NAPI_CALL(env, napi_create_string_utf8(env, "natmesh:tun", NAPI_AUTO_LENGTH, &name));
  NAPI_CALL(env, napi_async_init(env, resource, name, &w->context));
  NAPI_CALL(env, napi_create_reference(env, argv[1], 1, &w->callback));
  NAPI_CALL(env, napi_create_reference(env, resource, 1, &w->resource));
  rc = uv_poll_start(&w->poll, UV_READABLE, watch_on_poll);
  if (rc != 0) {
    napi_async_destroy(env, w->context);
    napi_delete_reference(env, w->callback);
    napi_delete_reference(env, w->resource);
    w->finalized = 1;
    uv_close((uv_handle_t *)&w->poll, watch_on_close);
    return throw_errno(env, "uv_poll_start", -rc);
  }
  w->active = 1;
  NAPI_CALL(env, napi_add_env_cleanup_hook(env, watch_cleanup_hook, w));
  NAPI_CALL(env, napi_create_external(env, w, watch_finalize, NULL, &external));
  return external;
}

/* unwatch(external): stops the watcher; safe to call twice. */
static napi_value tun_watch_stop(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!get_args(env, info, 1, argv)) return NULL;
  tun_watch *w;
  if (napi_get_value_external(env, argv[0], (void **)&w) != napi_ok) {
    napi_throw_type_error(env, "EARGS", "not a watcher");
    return NULL;
  }
  if (w->active) {
    napi_remove_env_cleanup_hook(env, watch_cleanup_hook, w);
    watch_stop(w);
  }
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"open", NULL, tun_open, NULL, NULL, NULL, napi_enumerable, NULL},
    {"features", NULL, tun_features, NULL, NULL, NULL, napi_enumerable, NULL},
    {"setVnetHeaderSize", NULL, tun_set_vnet_hdr_size, NULL, NULL, NULL, napi_enumerable, NULL},
    {"setVnetLittleEndian", NULL, tun_set_vnet_le, NULL, NULL, NULL, napi_enumerable, NULL},
    {"setOffload", NULL, tun_set_offload, NULL, NULL, NULL, napi_enumerable, NULL},
    {"watch", NULL, tun_watch_start, NULL, NULL, NULL, napi_enumerable, NULL},
    {"unwatch", NULL, tun_watch_stop, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  NAPI_CALL(env, napi_define_properties(env, exports, sizeof props / sizeof props[0], props));
  return exports;
}

NAPI_MODULE(tun, init)
