#include "core/safetensors_io.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <unistd.h>

namespace vsr1 {
namespace {

struct Fd {
  int fd;
  explicit Fd(int f) : fd(f) {}
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

std::string sysErr(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + std::strerror(errno);
}

void writeAll(int fd, const void* data, size_t n, const std::string& path) {
  const char* p = static_cast<const char*>(data);
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(sysErr("cannot write", path));
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
}

}  // namespace

std::vector<at::Tensor> readSpans(const std::string& path, int64_t dataStart, const std::vector<TensorSpan>& spans) {
  Fd f(::open(path.c_str(), O_RDONLY));
  if (f.fd < 0) throw std::runtime_error(sysErr("cannot open", path));
  off_t fileSize = ::lseek(f.fd, 0, SEEK_END);
  std::vector<at::Tensor> out;
  out.reserve(spans.size());
  for (const auto& s : spans) {
    int64_t n = 1;
    for (auto d : s.shape) n *= d;
    int64_t bytes = n * static_cast<int64_t>(c10::elementSize(s.dtype));
    if (s.end - s.begin != bytes) {
      throw std::runtime_error(path + ": tensor byte range [" + std::to_string(s.begin) + ", " + std::to_string(s.end) + ") holds " +
                               std::to_string(s.end - s.begin) + " bytes but its dtype and shape need " + std::to_string(bytes));
    }
    if (dataStart + s.end > fileSize) {
      throw std::runtime_error(path + ": file is truncated (" + std::to_string(fileSize) + " bytes, tensor data ends at " +
                               std::to_string(dataStart + s.end) + ")");
    }
    at::Tensor t = at::empty(s.shape, at::TensorOptions().dtype(s.dtype));
    char* dst = static_cast<char*>(t.data_ptr());
    int64_t done = 0;
    while (done < bytes) {
      ssize_t r = ::pread(f.fd, dst + done, static_cast<size_t>(bytes - done), dataStart + s.begin + done);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) throw std::runtime_error(sysErr("cannot read", path));
      done += r;
    }
    out.push_back(std::move(t));
  }
  return out;
}

void writeSafetensors(const std::string& path, const std::string& header, const std::vector<at::Tensor>& tensors) {
  std::string tmp = path + ".tmp-" + std::to_string(::getpid());
  {
    Fd f(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644));
    if (f.fd < 0) throw std::runtime_error(sysErr("cannot create", tmp));
    uint64_t len = header.size();
    unsigned char le[8];
    for (int k = 0; k < 8; ++k) le[k] = static_cast<unsigned char>((len >> (8 * k)) & 0xff);
    writeAll(f.fd, le, 8, tmp);
    writeAll(f.fd, header.data(), header.size(), tmp);
    for (const auto& t0 : tensors) {
      at::Tensor t = t0.detach();
      if (!t.device().is_cpu()) t = t.to(at::kCPU);
      t = t.contiguous();
      writeAll(f.fd, t.data_ptr(), t.numel() * t.element_size(), tmp);
    }
    if (::fsync(f.fd) != 0) throw std::runtime_error(sysErr("cannot fsync", tmp));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw std::runtime_error(sysErr("cannot rename into", path));
  }
}

}  // namespace vsr1
