// Images imported by Backstage components: a URL string is all a test needs.
module.exports = 'test-file-stub';
