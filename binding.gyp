{
  "variables": {
    # neurec_asan=1 (scripts/test_asan.sh): AddressSanitizer, -O1 -g, and exact-size allocations
    # (NEUREC_EXACT_ALLOC) so a read or write past a storage's last element is caught.
    "neurec_asan%": 0
  },
  "targets": [
    {
      # The CPU addon. Every native/**/*.cc is compiled: a new kernel family needs no edit here.
      "target_name": "neurec_cpu",
      "sources": ["<!@(ls -1 native/*.cc native/cpu/*.cc native/bind/*.cc)"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")", "native"],
      "defines": ["NAPI_VERSION=8", "NODE_ADDON_API_DISABLE_DEPRECATED", "NAPI_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17"],
      "cflags": ["-O3", "-fno-math-errno", "-fno-trapping-math", "-Wall", "-Wno-unused-parameter"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-O3", "-fno-math-errno", "-fno-trapping-math", "-pthread"],
      "ldflags": ["-pthread"],
      "conditions": [
        ["neurec_asan==1", {
          "defines": ["NEUREC_EXACT_ALLOC"],
          "cflags": ["-fsanitize=address", "-fno-omit-frame-pointer", "-O1", "-g"],
          "cflags_cc": ["-fsanitize=address", "-fno-omit-frame-pointer", "-O1", "-g"],
          "ldflags": ["-fsanitize=address"]
        }]
      ]
    }
  ]
}
